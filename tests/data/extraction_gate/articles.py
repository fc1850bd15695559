"""The article texts of the extraction gate's pages: written for this repository (fictional
outlets, people and companies; real places), with the boilerplate each page is dressed in.

Body mini-markup, blocks separated by a blank line: "## " a subheading, "- " lines a list,
"> " a quotation, "| " lines a table (first row the header), anything else a paragraph;
"[text](/path)" inside a block is a link (its text is article text).
"""

from __future__ import annotations

# Each article: slug, layout (a builder of build_pages.py), language, site, section,
# headline, author, date (ISO), dek (a standfirst: neither required nor forbidden, since
# annotators disagree whether it is article text), body.
ARTICLES: list[dict] = [
    # --- wordpress: a WordPress news theme with reader comments and sidebar widgets -------
    {
        "slug": "harbour-grain-exports", "layout": "wordpress", "language": "en",
        "site": "Tidewater Ledger", "section": "Economy",
        "headline": "Grain exports through Port Alder climb for a second year",
        "author": "Marguerite Okafor", "date": "2024-10-14", "dek": None,
        "body": """
Grain shipments through Port Alder rose 9.4 percent in the twelve months to September, to
6.1 million tonnes, according to [figures released by the harbour authority](/docs/tonnage-2024)
on Monday. Wheat
made up almost two thirds of the volume, with barley and rapeseed accounting for most of the
rest.

The increase follows a 5.2 percent rise the year before and was driven largely by demand
from North Africa and the Middle East, where buyers turned to Atlantic suppliers after poor
harvests closer to home. Egypt alone took 1.3 million tonnes, up from 870,000 tonnes a year
earlier.

"We have spent four years deepening the channel and replacing the old conveyor on the east
quay, and this is what it was for," said Tomasz Renwick, the authority's commercial director.
"Ships that used to part-load and top up elsewhere can now leave here full."

Not everyone along the river is celebrating. Residents of the Millbank estate, which backs
onto the grain terminal, say dust from the loading operations has worsened since the new
conveyor came into service in March. The authority said it had installed additional misting
units in August and would publish air quality readings every month from January.

Freight rates for the smaller vessels that call at Port Alder fell by about a fifth over the
year, which exporters said made the harbour more competitive against larger ports further
north. Whether that advantage lasts depends on next summer's harvest, which forecasters
expect to be close to the five-year average.
""",
    },
    {
        "slug": "bakery-chain-expansion", "layout": "wordpress", "language": "en",
        "site": "Tidewater Ledger", "section": "Business",
        "headline": "Family bakery chain to open 14 shops and a second bakehouse",
        "author": "Declan Ashworth", "date": "2024-11-02", "dek": None,
        "body": """
Hollins & Daughter, the bakery chain that started with a single shop on Quarry Street in
1987, plans to open 14 new outlets over the next two years and build a second bakehouse on
the edge of the city, the company said on Friday.

The expansion will cost about £11 million and create roughly 220 jobs, most of them in the
new shops. The bakehouse, on a former depot site off the ring road, is due to start baking
in the spring of 2026 and will double the chain's daily capacity to 90,000 loaves.

Managing director Ruth Hollins said the company had turned down offers from two private
equity firms last year. "We would rather grow more slowly and stay ours," she said. "Every
shop we open has to pay for itself within three years, and so far every one has."

## Where the new shops will be

- Six in the city centre and its inner suburbs.
- Four in market towns within 30 miles.
- Four inside railway stations, under a ten-year lease agreed with the operator.

Sales rose 12 percent to £38.5 million in the year to June, although profit margins narrowed
as the price of flour, butter and energy climbed. The company said it had absorbed most of
the increase rather than pass it on to customers.
""",
    },
    {
        "slug": "ferry-timetable-cuts", "layout": "wordpress", "language": "en",
        "site": "Tidewater Ledger", "section": "Transport",
        "headline": "Island ferry operator cuts winter sailings by a third",
        "author": "Marguerite Okafor", "date": "2025-01-09", "dek": None,
        "body": """
The operator of the ferry link between Carrick Point and the Skerry Isles will run a third
fewer sailings this winter, blaming a shortage of qualified crew and the age of its two
vessels.

From 20 January there will be three return crossings a day on weekdays instead of five, and
two at weekends. The first departure from Carrick Point moves from 6.45 to 7.30, which
islanders who commute to jobs on the mainland say will make them late for work.

The company, Skerry Link, said it had advertised for eleven deckhands and two engineers
since the autumn and filled only four of the posts. One of its ferries, built in 1991, spent
seven weeks in dry dock last year after a gearbox failure.

Councillor Ailsa Murdo, who represents the islands, said the cuts would hit the fish farms
hardest, because their lorries need the early crossing to reach the processing plants on
time. She has asked the regional transport board for an emergency meeting.
""",
    },
    # --- wire: a wire-service CMS, <div> layout, no <article> or <main> ---------------------
    {
        "slug": "copper-output-brief", "layout": "wire", "language": "en",
        "site": "Meridian Wire", "section": "Commodities",
        "headline": "Copper output at Ardent mine falls 6 pct in third quarter",
        "author": "Staff reporter", "date": "2024-10-22", "dek": None,
        "body": """
Copper production at the Ardent mine fell 6 percent in the third quarter to 41,300 tonnes,
its operator said on Tuesday, after heavy rain flooded the lower levels of the open pit.

The company kept its full-year guidance of 170,000 to 180,000 tonnes unchanged.
""",
    },
    {
        "slug": "central-bank-holds", "layout": "wire", "language": "en",
        "site": "Meridian Wire", "section": "Markets",
        "headline": "Central bank holds rates, signals cut possible in spring",
        "author": "Hannah Velasquez", "date": "2024-12-12", "dek": None,
        "body": """
The central bank left its main interest rate at 4.75 percent on Thursday for a third
consecutive meeting, but said a cut could come as early as March if inflation kept falling
as it expected.

The decision was unanimous on the timing of the statement, if not on rates.

Seven of the nine members of the monetary policy committee voted to hold. Two voted for a
quarter-point reduction, citing weak business investment and a labour market that has
loosened faster than the bank forecast in the summer.

Consumer prices rose 2.6 percent in the year to November, down from 3.1 percent in October
and a peak of 8.9 percent two years ago. The bank now expects inflation to reach its 2
percent target in the third quarter of next year.

The currency weakened 0.4 percent against the dollar after the decision, and yields on
two-year government bonds fell 6 basis points to 4.12 percent, as traders brought forward
their bets on the timing of the first cut.

"The committee's judgement is that policy will need to remain restrictive for some time,"
the bank said in its statement, "but the balance of risks has shifted."
""",
    },
    {
        "slug": "shipping-insurance-red-sea", "layout": "wire", "language": "en",
        "site": "Meridian Wire", "section": "Shipping",
        "headline": "War-risk premiums for Red Sea transits ease from their peak",
        "author": "Farid Mansour", "date": "2025-02-04", "dek": None,
        "body": """
The cost of insuring a ship for a single passage through the southern Red Sea has fallen to
about 0.5 percent of the vessel's value, from as much as 1 percent at the height of the
attacks on merchant shipping last year, brokers said.

For a bulk carrier worth $40 million, that still means a premium of around $200,000 for one
transit, several times what owners paid before the attacks began. Many container lines
continue to send their ships around the Cape of Good Hope, adding ten to fourteen days to a
voyage between Asia and northern Europe.

Traffic through the Suez Canal was about 45 percent below its level of two years ago in
January, according to the canal authority, which has lost billions of dollars in transit
fees. Tanker traffic has recovered faster than container traffic.

Underwriters said they would watch the next few weeks closely. A single successful attack,
one broker said, would send rates straight back up.
""",
    },
    # --- portal: a news portal with in-body "read also" boxes and a card grid --------------
    {
        "slug": "solar-farm-approved", "layout": "portal", "language": "en",
        "site": "Northfield Today", "section": "Local",
        "headline": "Council approves 48-megawatt solar farm on former airfield",
        "author": "Priya Raman", "date": "2024-09-18", "dek":
            "The scheme, the largest in the county, was approved by seven votes to four.",
        "body": """
Plans for a 48-megawatt solar farm on the former Wexcombe airfield were approved by the
county planning committee on Wednesday night after a four-hour meeting.

The developer, Brightacre Energy, says the 110,000 panels will generate enough electricity
for about 15,000 homes. Construction is due to start next summer and take around nine
months, with the site connected to the grid in 2026.

Opponents had argued that the panels would spoil views from the nearby Wexcombe Hill
nature reserve and take farmland out of production. Supporters pointed out that most of the
site is concrete runway and hardstanding that has not been farmed since the 1940s.

The committee attached 23 conditions to the permission, including a screen of native
hedging along the northern boundary, restrictions on construction traffic during school
hours and a requirement to return the land to its current state when the panels are
removed after 40 years.

Brightacre will also pay £60,000 a year into a community fund for the three parishes
around the airfield for the life of the scheme.
""",
    },
    {
        "slug": "hospital-waiting-lists", "layout": "portal", "language": "en",
        "site": "Northfield Today", "section": "Health",
        "headline": "Waiting list at county hospitals falls below 60,000",
        "author": "Owen Gallagher", "date": "2025-01-30", "dek": None,
        "body": """
The number of patients waiting for planned treatment at the county's two hospitals has
fallen below 60,000 for the first time in three years, figures published on Thursday show.

At the end of December, 59,420 people were on the list, down from 64,110 in June. The
number waiting more than a year fell from 2,310 to 1,045.

Hospital managers credited a new surgical hub at St Anselm's, which opened in the spring and
handles hip and knee replacements, cataract operations and hernia repairs away from the
emergency department.

> We have stopped cancelling operations every time there is a surge in emergency admissions,
> and that is the single biggest change.

That was how the trust's medical director, Dr Lena Fairbrother, put it at a board meeting on
Wednesday. She warned that the winter had only just begun and that flu admissions were
already above last year's level.

Patient groups welcomed the figures but said the wait for a first outpatient appointment in
some specialties, including dermatology and neurology, was still longer than six months.

The figures are in the [trust's board papers](/board/2025-01) for January, alongside the
[winter plan](/board/winter-plan) and the [latest inspection report](/inspections/2024).
""",
    },
    {
        "slug": "bridge-reopens-brief", "layout": "portal", "language": "en",
        "site": "Northfield Today", "section": "Travel",
        "headline": "Kessel Bridge reopens after repairs",
        "author": "Priya Raman", "date": "2025-02-11", "dek": None,
        "body": """
Kessel Bridge reopened to traffic at 6am on Tuesday, two days ahead of schedule, after
three weeks of repairs to its expansion joints.

A 20mph limit will stay in place until the resurfacing is finished next month.
""",
    },
    # --- blogger: a Blogger blog, text separated by <br> in one <div>, comment widget ------
    {
        "slug": "allotment-diary-march", "layout": "blogger", "language": "en",
        "site": "Plot 27", "section": "Diary",
        "headline": "Potatoes in, and a lesson about frost",
        "author": "Gwen Talbot", "date": "2024-03-23", "dek": None,
        "body": """
Spent most of Saturday on the plot, finally getting the first earlies in. Three rows of
'Swift' and two of 'Rocket', chitted on the kitchen windowsill since the middle of February
and looking very pleased with themselves.

Last year I planted on the 10th of March because the weather was mild, and a frost at the
start of April blackened every shoot that had come up. They recovered, but the crop was
about half what it should have been. So this year I waited, and I have a roll of fleece in
the shed just in case.

The broad beans that went in last November have come through the winter well, apart from
one end of the row where the pigeons got at them. I have put netting over the rest. The
garlic is up too, about fifteen centimetres tall.

Next weekend, if it stays dry: onion sets, the first sowing of carrots, and fixing the
water butt that split in January.
""",
    },
    {
        "slug": "village-hall-accounts", "layout": "blogger", "language": "en",
        "site": "Ashby Parva Notes", "section": "Village",
        "headline": "Village hall accounts: a good year, and a new roof to pay for",
        "author": "Colin Marchetti", "date": "2024-05-06", "dek": None,
        "body": """
The village hall committee presented its accounts at the annual meeting on Thursday, and for
once the news was mostly good. Income from hire rose to £14,200, up from £11,900 the year
before, thanks largely to the Tuesday yoga class and the monthly film nights.

Running costs came to £9,800, so the hall made a surplus of about £4,400, which has gone
into the repair fund. That fund now stands at £21,000.

The less good news is the roof. The surveyor who looked at it in February says the north
side needs replacing within two years, and the lowest of the three quotes so far is £38,000.
The committee will apply to the district council's community buildings grant, which can
cover up to half the cost, and will hold a fundraising auction in the autumn.

If you have something to donate for the auction, or an hour or two to help on the night,
Margaret at the post office is keeping a list.
""",
    },
    {
        "slug": "birdwatch-reservoir", "layout": "blogger", "language": "en",
        "site": "Reservoir Birds", "section": "Sightings",
        "headline": "Ospreys back at Coldwell Reservoir",
        "author": "Imran Sheikh", "date": "2024-04-14", "dek": None,
        "body": """
Both ospreys are back at Coldwell. The male arrived on Tuesday evening and spent the next two
days rebuilding the nest on the platform at the north end, and the female followed on Friday
morning, which is four days earlier than last year.

This will be their sixth season here. They have raised eleven chicks between them since
2019, and two of the 2021 chicks have been seen in Scotland this spring, according to the
ringing group.

The hide on the west bank is open again after the winter repairs, and the path to it has
been resurfaced, so it is now suitable for wheelchairs. Please keep to the path below the
nest: the birds are easily disturbed in the first weeks.

Other sightings this week: a pair of great crested grebes displaying off the dam wall, the
first sand martins on Wednesday, and a single black-necked grebe on Saturday that did not
stay long enough for anyone else to see it.
""",
    },
    # --- magazine: long-form magazine, hero figure, drop cap, pull quote, author box -------
    {
        "slug": "salt-marsh-restoration", "layout": "magazine", "language": "en",
        "site": "Fieldnotes Quarterly", "section": "Environment",
        "headline": "The sea walls came down, and the marsh came back",
        "author": "Eleanor Voss", "date": "2024-08-01",
        "dek": "Ten years after a farm was handed back to the tide, the birds have returned.",
        "body": """
Ten years ago the fields at Saltmere were grazing land, protected from the estuary by a clay
wall that had stood since the eighteenth century. Then the wall was breached on purpose, in
three places, and the tide was allowed back in.

The project was controversial at the time. Farmers in the parish worried that the
neighbouring fields would flood; anglers thought the fishing would suffer. Neither has
happened. The new marsh covers 115 hectares and floods and drains twice a day, as the land
did before it was enclosed.

## What came back

The first plants to colonise the mud were glasswort and cord grass, within two years. Sea
lavender and sea aster followed. The birds came faster still: redshank nested on the higher
ground in the second summer, and the winter counts of wading birds have risen from a few
hundred to more than 6,000.

Scientists from the [regional university](/partners/university) have measured the mud
building up at about a centimetre a year, which means the marsh is keeping pace with the
rising sea. It also stores carbon, although how much is still being worked out.

## What it cost

The breach and the new inland defences cost £7.4 million, most of it paid by the
environment agency as compensation for habitat lost to port development elsewhere on the
estuary. The farm's owners were paid for the land.

"People ask whether it was worth it," says Joan Pettifer, who manages the reserve. "Come
here at high tide in January, when the whole sky is full of birds, and then ask me."
""",
    },
    {
        "slug": "violin-maker", "layout": "magazine", "language": "en",
        "site": "Fieldnotes Quarterly", "section": "Craft",
        "headline": "A violin takes 250 hours. He has made 300 of them",
        "author": "Samuel Achterberg", "date": "2024-11-20", "dek": None,
        "body": """
Benedikt Marr's workshop is a single room above a tyre shop, with one window facing north
because, he says, the light does not change much during the day. On the bench there are
three violins in different stages of becoming one.

He reckons a violin takes him about 250 hours from the first cut of the spruce to the last
coat of varnish, spread over two or three months because the varnish needs time to dry
between coats. He has made just over 300 in 41 years.

He has no apprentice.

The wood matters more than almost anything else. Marr buys his spruce for the fronts from a
forest in the Alps where the trees grow slowly at altitude, giving tight, even grain, and he
keeps it for at least ten years before he uses it. The maple for the backs comes from the
Balkans.

His instruments sell for between €18,000 and €26,000, and there is a waiting list of about
two years. Most go to orchestral players and students at the conservatoires; a few go to
collectors, which he does not much like. "A violin that is not played," he says, "goes to
sleep."
""",
    },
    {
        "slug": "night-train-return", "layout": "magazine", "language": "en",
        "site": "Fieldnotes Quarterly", "section": "Travel",
        "headline": "The night train is back. Is anyone taking it?",
        "author": "Eleanor Voss", "date": "2025-01-15", "dek": None,
        "body": """
When the sleeper service between the capital and the southern coast was withdrawn in 2009,
the operator said it was losing money on every journey. Last spring a new company brought it
back, with second-hand carriages bought from abroad and refitted, three nights a week.

The first year's numbers are better than the sceptics expected. The train carried about
41,000 passengers, and on Friday and Sunday nights it was usually full. Midweek it ran at
around 60 percent of capacity.

Fares start at 49 for a seat and 139 for a bed in a shared compartment, which is more than a
budget flight but less than a flight plus a hotel. The company says it needs to run five
nights a week to break even, and has ordered twelve more carriages for delivery in 2026.

Passengers interviewed on a recent Sunday night gave a range of reasons for choosing the
train: a fear of flying, a wish to cut their carbon emissions, and, most often, simply that
they could sleep on the way and arrive in time for breakfast.
""",
    },
    # --- govpress: a ministry press release: skip link, cookie banner, contacts, feedback --
    {
        "slug": "apprenticeship-funding", "layout": "govpress", "language": "en",
        "site": "Department for Skills", "section": "Press release",
        "headline": "£120 million for apprenticeships in construction and engineering",
        "author": "Department for Skills", "date": "2024-09-05", "dek":
            "Employers will be able to claim up to £7,000 for each new apprentice.",
        "body": """
Employers in construction and engineering will be able to claim up to £7,000 for each new
apprentice they take on from January, under a £120 million scheme announced today.

The payments are intended to reverse a fall in the number of apprenticeships in both
sectors, which dropped by 18 percent between 2019 and 2023 while demand for skilled workers
rose.

The scheme will run for three years. Employers will receive half of the payment when the
apprentice starts and the rest when they complete the first year of training.

## Who can apply

- Employers of any size registered in the construction or engineering sectors.
- Group training associations that place apprentices with small firms.
- Employers who have not made an apprentice redundant in the previous 12 months.

The skills minister said: "Every one of the 1.5 million homes we have promised to build
needs bricklayers, electricians and plumbers. This money helps employers train them."

Applications will open on 2 December through the apprenticeship service.
""",
    },
    {
        "slug": "flood-defence-scheme", "layout": "govpress", "language": "en",
        "site": "Environment Office", "section": "News story",
        "headline": "Work starts on £32 million flood defences for Harrowgate",
        "author": "Environment Office", "date": "2024-10-28", "dek": None,
        "body": """
Construction has begun on a £32 million flood defence scheme that will better protect 1,400
homes and 230 businesses in Harrowgate, where the river has burst its banks four times since
2007.

The scheme includes 2.3 kilometres of new walls and embankments, a flood storage area
upstream of the town that can hold 1.1 million cubic metres of water, and a new pumping
station at the confluence with Mill Brook.

Work will be carried out in phases to keep the riverside path open for as much of the time
as possible. The main contractor expects to finish in the summer of 2027.

The scheme is funded by the government's flood and coastal defence programme, with £4.5
million from the district council and local businesses.
""",
    },
    {
        "slug": "export-licence-changes", "layout": "govpress", "language": "en",
        "site": "Department for Trade", "section": "Guidance update",
        "headline": "Changes to export licences for dual-use goods",
        "author": "Department for Trade", "date": "2025-01-21", "dek": None,
        "body": """
From 1 March, exporters of certain dual-use goods will need an individual licence for
shipments to a further twelve destinations, instead of relying on the general licence that
covers them now.

The change affects mainly electronic components, machine tools and some chemicals. In
2024, shipments under the general licence to the twelve destinations were worth about £340
million, around 4 percent of all dual-use exports.

Exporters who already hold an individual licence for these goods do not need to apply again.
Applications for new licences can be made through the online licensing system, and the
department aims to decide 70 percent of them within 20 working days.

The full list of destinations and goods is published in the updated notice to exporters.
""",
    },
    # --- microdata: schema.org articleBody, JSON-LD, inline related links, topic tags ------
    {
        "slug": "wind-turbine-factory", "layout": "microdata", "language": "en",
        "site": "The Coastal Post", "section": "Business",
        "headline": "Turbine blade factory to hire 600 after winning offshore order",
        "author": "Natalia Brennan", "date": "2024-07-09", "dek": None,
        "body": """
A factory making blades for offshore wind turbines will take on 600 more workers after
winning an order to supply two new wind farms in the North Sea, its owner said on Tuesday.

The plant, on the site of a former shipyard, already employs about 900 people. The new order
is for 320 blades, each 115 metres long, to be delivered between 2026 and 2028.

The company said it would invest £85 million in a second production line and a new quay
where the blades can be loaded directly onto ships. At the moment they are moved by road to
a port 20 miles away, a journey that has to be made at night with a police escort.

Shares in the company rose 4 percent.

Recruitment will start in the autumn. The company is working with the local college on a
twelve-week course for new starters, most of whom it expects to come from outside the wind
industry.

Union officials welcomed the news but said pay at the plant had fallen behind other
manufacturers in the region and that they would raise it in this year's negotiations.
""",
    },
    {
        "slug": "library-hours-brief", "layout": "microdata", "language": "en",
        "site": "The Coastal Post", "section": "Community",
        "headline": "Central library extends opening hours",
        "author": "Tom Aske", "date": "2024-09-02", "dek": None,
        "body": """
The central library will open until 8pm on Tuesdays and Thursdays from next week, and on
Sunday afternoons from October.

The longer hours are paid for by a £90,000 grant from a local charitable trust.
""",
    },
    {
        "slug": "fishing-quota-deal", "layout": "microdata", "language": "en",
        "site": "The Coastal Post", "section": "Fishing",
        "headline": "Fishing fleet welcomes higher mackerel quota",
        "author": "Natalia Brennan", "date": "2024-12-18", "dek": None,
        "body": """
Skippers have welcomed an agreement that will raise next year's mackerel quota for the fleet
by 8 percent, after three years of cuts.

The deal, reached in the early hours of Wednesday after five days of talks between coastal
states, sets the total allowable catch for the north-east Atlantic at 739,000 tonnes. The
fleet's share is about 190,000 tonnes.

Scientists had advised a smaller increase, saying the stock was recovering more slowly than
hoped, and conservation groups criticised the negotiators for going beyond the advice.

The price of mackerel at the fish market has risen by around a quarter over the past two
years, as the cuts reduced supply, and traders expect it to ease once the new quota takes
effect.
""",
    },
    # --- paywall: a cookie consent dialog, a metered-paywall banner, support appeals -------
    {
        "slug": "rent-rises-city", "layout": "paywall", "language": "en",
        "site": "Metro Examiner", "section": "Housing",
        "headline": "Rents in the city rise 7 percent in a year",
        "author": "Jasmine Oduya", "date": "2024-10-03", "dek": None,
        "body": """
Average rents for new tenancies in the city rose 7 percent in the year to September, to
£1,285 a month, according to figures from the largest letting agents' association.

The increase was smaller than the 11 percent recorded a year earlier, but still well ahead of
wages, which rose about 4.5 percent over the same period. Rents for one-bedroom flats in the
city centre rose fastest, by 9 percent.

The number of homes available to rent was 14 percent lower than before the pandemic, the
association said, as some landlords sold up in response to higher mortgage rates and new
regulations, including the [new minimum energy standards](/housing/epc-rules) for rented
homes.

Tenants' groups said more young people were being pushed into house shares or back to their
parents' homes. The city council said it would publish a plan for 4,000 new homes for rent
at below market rates in the new year.
""",
    },
    {
        "slug": "football-club-accounts", "layout": "paywall", "language": "en",
        "site": "Metro Examiner", "section": "Sport",
        "headline": "Rovers report record turnover but a loss on player wages",
        "author": "Liam Castellano", "date": "2024-12-06", "dek": None,
        "body": """
City Rovers increased their turnover to a record £64 million last season, helped by a run to
the cup semi-final and a new shirt sponsorship deal, but still made a pre-tax loss of £9.3
million, accounts filed on Friday show.

Wages rose to £58 million, or 91 percent of turnover, well above the 70 percent that the
league recommends. The club said this reflected the cost of the squad that won promotion the
season before.

The club's owners converted £20 million of loans into shares during the year and said they
would continue to support the club. They have also promised to start work on the new north
stand, which will add 4,500 seats, next summer.

Match-day revenue was £19 million, with an average home crowd of 24,800, the highest since the
club moved to its current ground.
""",
    },
    {
        "slug": "school-meals-prices", "layout": "paywall", "language": "en",
        "site": "Metro Examiner", "section": "Education",
        "headline": "School meal prices to rise by 20p from April",
        "author": "Jasmine Oduya", "date": "2025-02-19", "dek": None,
        "body": """
Parents will pay 20p more for a school lunch from April, taking the price of a meal in the
city's primary schools to £2.70, the council has confirmed.

The council said the cost of food and staff had risen by more than a quarter since the price
was last set in 2022, and that it was subsidising each meal by about 60p.

About 38 percent of pupils in the city's primary schools receive free meals and will not be
affected. Campaigners say many families who just miss out on free meals are struggling, and
want the council to freeze the price for another year.

The council's education committee will review the decision in the autumn.
""",
    },
    # --- stats: a statistics office news release with a data table --------------------------
    {
        "slug": "trade-balance-august", "layout": "stats", "language": "en",
        "site": "National Statistics Office", "section": "Trade",
        "headline": "Trade deficit narrows to $3.2 billion in August",
        "author": "National Statistics Office", "date": "2024-10-08", "dek": None,
        "body": """
The trade deficit in goods narrowed to $3.2 billion in August from $4.1 billion in July, as
exports rose 2.8 percent and imports fell 1.1 percent, according to figures published today.

Exports were lifted by shipments of machinery and transport equipment, which rose 6.4
percent, and by higher prices for agricultural products. Imports of fuels fell 9.7 percent as
oil prices eased.

| Category | July | August | Change |
| Food and live animals | 1,412 | 1,498 | 6.1% |
| Fuels and lubricants | 2,870 | 2,592 | -9.7% |
| Machinery and transport equipment | 5,236 | 5,571 | 6.4% |
| Manufactured goods | 2,104 | 2,087 | -0.8% |

Values are exports in millions of dollars, seasonally adjusted.

Over the first eight months of the year the deficit was $29.6 billion, compared with $34.8
billion in the same period of last year. The next release, covering September, is due on 7
November.
""",
    },
    {
        "slug": "tourism-arrivals-q2", "layout": "stats", "language": "en",
        "site": "National Statistics Office", "section": "Tourism",
        "headline": "Overseas visitors up 12 percent in the second quarter",
        "author": "National Statistics Office", "date": "2024-08-15", "dek": None,
        "body": """
Overseas residents made 9.8 million visits in the second quarter of 2024, 12 percent more than
in the same quarter of 2023, and spent $8.4 billion during their stays.

Visits from North America rose 18 percent and visits from the rest of Europe rose 9 percent.
Visits from Asia were still about a fifth below their level before the pandemic.

| Region | Visits (thousands) | Spending ($ million) |
| Europe | 6,320 | 4,710 |
| North America | 1,480 | 2,050 |
| Asia | 1,190 | 1,120 |
| Rest of the world | 810 | 520 |

The average length of a visit was 7.1 nights, unchanged from a year earlier. Holidays
accounted for 46 percent of visits, visits to friends and relatives for 31 percent and
business trips for 16 percent.
""",
    },
    {
        "slug": "house-prices-index", "layout": "stats", "language": "en",
        "site": "National Statistics Office", "section": "Housing",
        "headline": "House prices rise 3.4 percent in the year to June",
        "author": "National Statistics Office", "date": "2024-08-21", "dek": None,
        "body": """
Average house prices rose 3.4 percent in the twelve months to June 2024, to $312,000, after
rising 2.1 percent in the twelve months to May.

Prices rose in every region except the capital, where they fell 0.6 percent. The largest
increase was in the north-west, at 5.9 percent.

| Property type | Average price ($) | Annual change |
| Detached | 498,000 | 3.9% |
| Semi-detached | 301,000 | 3.6% |
| Terraced | 259,000 | 3.2% |
| Flat or maisonette | 231,000 | 1.4% |

First-time buyers paid an average of $258,000, up 3.1 percent, and buyers who already owned a
home paid $352,000, up 3.6 percent.
""",
    },
    # --- tables: an old site laid out with nested <table>s, <font> tags and a left menu -----
    {
        "slug": "rotary-club-donation", "layout": "tables", "language": "en",
        "site": "Brackley Rotary Club", "section": "News",
        "headline": "Rotary club donates minibus to youth centre",
        "author": "Club secretary", "date": "2024-06-11", "dek": None,
        "body": """
The Brackley Rotary Club has handed over the keys of a new 16-seat minibus to the Orchard
Street Youth Centre, after two years of fundraising by members.

The minibus cost £48,500, of which the club raised £31,000 from its annual duck race, a
sponsored walk and the Christmas tree sale. The rest came from two local firms and the town
council.

The youth centre's manager, Danielle Osei, said the old minibus had failed its test in the
spring and that the centre had been hiring coaches for trips since then. "This means our
young people can get to football matches, the climbing wall and camping weekends again," she
said.

The club meets every Wednesday at 7.30pm at the Crown Hotel, and new members are always
welcome.
""",
    },
    {
        "slug": "model-railway-exhibition", "layout": "tables", "language": "en",
        "site": "Dunmore Model Railway Society", "section": "Exhibitions",
        "headline": "Exhibition draws record crowd of 2,300",
        "author": "Exhibition manager", "date": "2024-03-05", "dek": None,
        "body": """
Our annual exhibition at the leisure centre drew 2,300 visitors over the weekend, the largest
number in its 38-year history, and raised £6,800 for the society and the hospice.

Twenty-four layouts were on show, from a tiny N gauge branch line on a coffee table to the
society's own O gauge model of Dunmore station as it was in 1958, which took members eleven
years to build.

The best layout award, voted for by visitors, went to "Harbour Road", a model of a fishing
port built by a father and daughter from the next county.

Next year's exhibition will be on the first weekend of March. We are looking for volunteers to
help with the car park and the refreshments.
""",
    },
    {
        "slug": "parish-council-minutes", "layout": "tables", "language": "en",
        "site": "Eastcote Parish Council", "section": "Minutes",
        "headline": "Summary of the parish council meeting, 14 January",
        "author": "Parish clerk", "date": "2025-01-16", "dek": None,
        "body": """
The council agreed a precept of £42,600 for 2025-26, an increase of 4 percent, which will add
about £2.10 a year to the bill for a typical household.

Councillors discussed the condition of the footpath between Church Lane and the school, which
floods after heavy rain. The clerk will ask the county council when the drainage work it
promised last year will be carried out.

The council approved a grant of £750 to the Eastcote Show committee and £400 to the
playgroup for new outdoor equipment.

The next meeting will be held on 11 February at 7pm in the village hall. Members of the public
are welcome to attend.
""",
    },
    # --- foreign: regional news pages in German, French and Spanish ------------------------
    {
        "slug": "hafen-umschlag", "layout": "foreign", "language": "de",
        "site": "Nordsee Rundschau", "section": "Wirtschaft",
        "headline": "Hafen meldet Rekordumschlag bei Containern",
        "author": "Katrin Wollenberg", "date": "2024-07-24", "dek": None,
        "body": """
Der Hafen hat im ersten Halbjahr so viele Container umgeschlagen wie noch nie. Insgesamt
wurden 1,42 Millionen Standardcontainer bewegt, das sind 6,8 Prozent mehr als im
Vorjahreszeitraum, teilte die Hafengesellschaft am Mittwoch mit.

Vor allem der Verkehr mit Skandinavien und dem Baltikum hat zugenommen. Die Reedereien
schätzen nach Angaben der Gesellschaft die kurzen Wartezeiten an den Liegeplätzen, seit im
vergangenen Herbst ein neuer Terminal in Betrieb gegangen ist.

Beim Massengut sieht es dagegen schlechter aus. Der Umschlag von Kohle ging um fast ein
Drittel zurück, weil zwei Kraftwerke in der Region abgeschaltet wurden. Getreide und
Düngemittel legten leicht zu.

Für das Gesamtjahr rechnet die Hafengesellschaft mit einem Plus von vier bis fünf Prozent.
Sie will in den kommenden drei Jahren rund 150 Millionen Euro in neue Kräne und die
Vertiefung der Zufahrt investieren.
""",
    },
    {
        "slug": "vendanges-precoces", "layout": "foreign", "language": "fr",
        "site": "Le Courrier des Vallées", "section": "Économie",
        "headline": "Des vendanges précoces et une récolte en baisse",
        "author": "Hélène Marchand", "date": "2024-09-04", "dek": None,
        "body": """
Les vendanges ont commencé avec près de deux semaines d'avance dans la vallée cette année, et
les viticulteurs s'attendent à une récolte inférieure de 15 à 20 pour cent à la moyenne des
cinq dernières années.

Le gel du mois d'avril, puis la sécheresse de l'été, ont réduit les rendements, en particulier
sur les coteaux exposés au sud. Certains domaines ont perdu plus de la moitié de leur récolte.

La qualité, en revanche, s'annonce bonne. « Les raisins sont petits mais très concentrés »,
explique le président de la cave coopérative, qui regroupe 240 vignerons.

Les prix du vin en vrac ont augmenté de 8 pour cent depuis le début de l'année, ce qui devrait
compenser en partie la baisse des volumes pour les producteurs.
""",
    },
    {
        "slug": "aeropuerto-pasajeros", "layout": "foreign", "language": "es",
        "site": "Diario del Litoral", "section": "Economía",
        "headline": "El aeropuerto supera los cinco millones de pasajeros",
        "author": "Javier Montoya", "date": "2024-12-27", "dek": None,
        "body": """
El aeropuerto ha superado por primera vez los cinco millones de pasajeros en un año, según
los datos publicados este viernes por el gestor aeroportuario. Hasta el 26 de diciembre
pasaron por sus instalaciones 5,04 millones de viajeros, un 11 por ciento más que en 2023.

El crecimiento se debe sobre todo a las nuevas rutas internacionales abiertas en primavera,
en particular a varias ciudades del norte de Europa. El tráfico nacional creció un 4 por
ciento.

La terminal, diseñada para cuatro millones de pasajeros, se ha quedado pequeña en las horas
punta del verano. El gestor ha anunciado una ampliación de 90 millones de euros que
comenzará en 2025 y estará terminada en 2028.

Los hoteles de la costa también han registrado un año récord, con una ocupación media del 78
por ciento.
""",
    },
    # --- newsletter: the web version of an e-mail newsletter, laid out in tables -----------
    {
        "slug": "weekly-markets-letter", "layout": "newsletter", "language": "en",
        "site": "The Weekly Ledger", "section": "Newsletter",
        "headline": "Markets this week: oil slips, shipping stocks rally",
        "author": "Rosalind Pike", "date": "2024-11-15", "dek": None,
        "body": """
Oil prices fell for a third week, with the benchmark crude down 3.6 percent to $71.40 a
barrel, as forecasts for demand growth next year were cut again and stockpiles in the United
States rose more than analysts expected.

Shipping stocks had their best week since the spring. Container lines rose an average of 8
percent after one of the largest carriers said freight rates on the main routes between Asia
and Europe had stopped falling.

Government bond yields were little changed. The two-year yield ended the week at 4.21 percent,
the ten-year at 4.38 percent.

Next week: retail sales on Tuesday, the central bank's minutes on Wednesday and the first
estimate of third-quarter growth on Friday.
""",
    },
    {
        "slug": "climate-policy-letter", "layout": "newsletter", "language": "en",
        "site": "Emissions Weekly", "section": "Newsletter",
        "headline": "The week in climate policy",
        "author": "Amara Lindqvist", "date": "2024-12-13", "dek": None,
        "body": """
The price of a permit to emit a tonne of carbon dioxide in the regional trading scheme fell
to 64 this week, its lowest level in a year, as a mild autumn kept demand for gas and coal
power down.

Three more countries published their plans for cutting emissions by 2035, bringing the total
to 14. Analysts who have read them say only two are consistent with the targets agreed a
decade ago.

A court ruled on Thursday that the government had not explained how it would meet its own
target for insulating homes, and gave it six months to publish a new plan.

Reading list: a long report on the cost of heat pumps, and an interview with the engineer who
designed the first offshore wind farm to run without subsidies.
""",
    },
    {
        "slug": "startups-funding-letter", "layout": "newsletter", "language": "en",
        "site": "Seedround Digest", "section": "Newsletter",
        "headline": "Seedround Digest: a quieter month for start-up funding",
        "author": "Theo Nakamura", "date": "2025-02-07", "dek": None,
        "body": """
Start-ups in the region raised $1.9 billion in January, down 22 percent from December and the
lowest monthly total since last summer, according to our count of announced rounds.

The largest deal was a $210 million round for a company that makes software for managing
electricity grids. Apart from that, only four rounds were larger than $50 million.

Early-stage funding held up better. The number of seed rounds, 131, was almost the same as a
year earlier, and the median seed round grew to $3.1 million.

Investors we spoke to expect a busier spring, as several funds that closed at the end of last
year start to invest.
""",
    },
]
