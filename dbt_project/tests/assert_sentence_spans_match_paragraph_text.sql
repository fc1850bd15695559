-- A sentence's [char_start, char_end) span in its paragraph's repaired_text
-- spells the sentence. Returns the sentences whose span does not.
-- Severity warn: figures are located in the sentence text itself (checked as
-- an error on fct_figures), so a splitter that trims or normalises
-- whitespace misplaces a highlight, not a number.
{{ config(severity='warn') }}

with

sentences as (

    select * from {{ ref('stg_raw__sentences') }}

),

paragraphs as (

    select * from {{ ref('stg_raw__paragraphs') }}

),

final as (

    select
        sentences.sentence_id,
        sentences.char_start,
        sentences.char_end,
        sentences.sentence_text,
        substring(
            paragraphs.repaired_text,
            sentences.char_start + 1,
            sentences.char_end - sentences.char_start
        ) as span_text
    from sentences
    inner join paragraphs
        on sentences.paragraph_id = paragraphs.paragraph_id
    where
        sentences.char_start < 0
        or sentences.char_end <= sentences.char_start
        or sentences.char_end > length(paragraphs.repaired_text)
        or span_text != sentences.sentence_text

)

select * from final
