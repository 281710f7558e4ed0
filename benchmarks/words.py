"""Word lists for the synthetic catalogue, frozen from the bundled catalogue.

Only single words and tag names (no sentences) taken from ``catalog/*.yaml`` as
it stood when the benchmarks were written (405 activities), so that the
generator stays deterministic while the bundled catalogue grows. Regenerate by
counting the lower-cased words of titles, descriptions, steps and prompts.
"""

from __future__ import annotations

__all__ = ["SUPPORT_TAGS", "TAGS", "TITLE_VERBS", "WORDS"]

#: Words seen at least twice, most frequent first (the head of the Zipf vocabulary).
WORDS: tuple[str, ...] = tuple(
    """
a you the and to of or what it each your for other in one is on that together with about at
how them would as do when then take an from are up they ask something by not out have both
which time day talk if side turns like say who feel walk choose someone through where person
small did people be call find most can share first go agree write minutes without back keep
before being sit want pick work life questions two shared story makes own way tell over
three same place thing afterwards short into read local look moment quiet swap while make
this week ten their good name now think has will words down felt few let book help why such
after hard still things next there close question yourself no aloud could hold end open
service set than feeling feels real see every long more stop whether check five little new
trust home listen often family gives need right was were never spend year body made slowly
list off start well behind crisis does listener notice only room somewhere spot closer
explain hope rather route simple stay give plan sharing watch care evening hands kind learn
minute play video doctor get twenty even line live park step water years asks best carry
change compare hand naming part quietly shows so answer any changed doing else matters note
old paper places safe thinking around builds cook helps memory much night put anything but
finish just mark me offer session sign away describe free might number phone team until
alone days join notes slow talking therapy try turn wish calm charity clear easier going
group know means point reach really thank apart build community either fear garden had
health loud meeting moments moving pace stand word beginner below bench facing feelings
guess hug last leave meet ordinary piece use visit walking warm we believe between big draw
easy emergency face follow food half heard light low once private remember run saying sense
show takes tree values again bring date dish hardest hour letter love money move noticed
phones stories stretch under add brings different drink enough hearing idea left letting
listens near nobody outside ritual said search song telling today understand volunteer worry
comfort dark early ideas its lived looking many miss neither past plant routine says silly
simply some specific touch break child come differently distance eat eyes far favourite four
full gave gentle habit happened hear helped illness news path sentence sessions silence too
whose attention been better came game gets learning leaves mind month online proud public
rarely round seeing send speaker tells told top understanding weeks world yours across
advice along another chat choice choosing closeness dance decide deeply done ever gather got
groups guide honest job keeps kitchen knowing learned least lets letters living meal meaning
meant names pair physical properly record regret seen space speak support tea teach value
view ways all box chapter cheer contact everyone faith grief head instead lost nearby others
pack parent photo pressure relative services shoulder table thanks those thought using works
act answers arm belief bodies cannot class comfortable conversation counselling danger death
deep dig explaining film finally found fresh fun goal happen held helpline hopes hospital
hurt jar later laugh lead loss moved nothing ones page partner purpose respect shaped timer
trail turning unhurried voice whenever whole working worries wrong afternoon against
answering asking bad beside catch childhood company count couples curiosity describing
domestic drop during facts forgive friends gently having history honestly hours known looked
map memories met older return rhythm rule screen second shares silent sitting sky taste
treat true trusted underneath understood version went adventure afraid ago anyone argument
beginners breathe completely decision detail discuss everyday familiar fifteen fix forward
future holding however language lie listening needed noticing practical quick rare ready
recipe rules school separately shift social street surprisingly therapist trade tradition
whatever writes yes yourselves alive always appointment ball beach blanket cared carers
caring cause choices circle climb closely clues colleague comes confidential cost counts cup
daily details difference drawing exactly fill finding friend fully funny grandparent
grateful guessing here hidden hide high imagine including invent lay lines lives making
matter measure message morning needs objects odd pass patch pause peace personal photos
playful post practise race reading relationship remembered reminder reveals roles shape
single six sofa solve sounds starting stayed steady streets stress surprised talks tend tide
tied times travel trying us usually admire adult age area beforehand busy card celebrate
changes curious design difficult ends everything example explains field flat form friendship
grow happening happens hill hunt interview kindly land late laughing lists lunch mood music
neighbourhood nervous object opens order our parts perhaps photograph reason recall
relatives reminds respond rest reveal saw season settle should shoulders signs sketch skill
skip snack steps stuck surprising trained very abuse actually adjust admit appreciation art
attend awe become beliefs board bonding breath calls carer carried carries carrying children
counsellor course deeper dinner disagree documentary door draws ease effort event expect
experience eye fall finds fit fits fixing generations getting giving goes grew guided heavy
height hike hire hot humbling item judging large launch leads leaving loop loved match
mattered memorable middle museum my options outdoors painful perform picture plenty possible
prayer present problem putting puzzle raise react reply sacred safety save scene sentences
shadow shop slips split spoken started stick stops straight struggling sun surprise taster
taught teacher tender tends theirs therapists thoughts tiny tired toast topic torch town
trace truly turned used violence vivid wait waiting wander watching weather welcome yet
admitting air allowed alongside already anger arrival arrive arrives aside bags bank books
budget built buy camera canoe cards catches centre chart chose chosen clinic clue cold
colleagues comfortably coming concrete cycle doubts dry ending enjoy enthusiasm fail fears
fees feet finished forecast front given gloves gone guiding halfway handful hiding holds
host inside interest interesting journey judge kept key kindness knows labyrinth layers less
lesson lights litter may mean meditation mistakes moon national neighbour notices oldest
opening parents particular patterns permission prompts reasoning recent reflects regular
religious repeat result review runs rush safely seal searching secret seriously seven
several shake sheet showing sits slightly smells snacks sort speaking staff standing star
stars stays steer stopping strange stranger stretches subject suicide supervised switch task
teaches these throw towards track training trees tried trip upset viewpoint walks wall
weighing wins wonder worked workplace worried younger accept accredited advance ahead almost
argue arguments arms asked aunt bag bark bed bids bike bird bit breaks bright building calms
campsite chair chores clock comforted complete compliment compliments condition connected
country courage decisions deck decorate deepest dictionary differ differences dilemmas
disagreement discover dogs doubt dread drew eases encouraging escape evidence exciting
exercise experiences explore faces fair families fast final formed freely friendly gap
generation goodnight grass gratitude grave ground guides habits handwritten historic homes
honesty honours hoping house hurts inner invites jobs kitchens knees knew lake leader leaf
lessons lifts linked lonely looks loudly lovely lowers luck manage marks maths meaningful
memorial messages method milestone minds needing outing partners pastoral period philosophy
physically pile plainly planet planning planting points practice press pride profound
programme proper protect pull push puzzles raised receive recently recording reduced remind
ridiculous river road rough sand sapling scale scar scraps seconds self setting settled
shapes shuffle sides signal since sing sleep slip smell songs sound spent square steers
stillness stopped strangest stressed stressful suits sunny sunrise sure taking tape tasks
tasting teenagers test text themselves thirty touching trains trusting usual visible visitor
volunteers wanted warmly warmth wash wear weekend weight wet wherever win winner worth
writing able abstract addiction adding adults affected album animal apologise appears argued
arguing assistance award beat beautiful because becomes belong belongs benefits bigger
biography birds birth birthday blessing blindfolded booking borrow bowl breathing briefly
bus calling capture causes celebrating cemetery centres ceremony chairs chalk challenge
chaotic checking chess choir chorus cities claim clarifying clearing clearly clever climbing
coffee college colour comforting common comparing connection conservation constellation
conversations cooled coping corner counsellors counting crates create creates creature
crossword cryptic dawn debate decade deepens definition destination direction documents
draft dress drug duet dusk easily eating employee empty encourage encouragement enjoyed
equal exists expert fact faded fairness farewell fire flowers flying foot forgiven forms
fossils frustration funeral general generosity gestures gift goosebumps great grieve
grieving growing grown guesses handle harvest heads hobby hospice human identify important
improv improve include ingredient instantly intention interrupting invention joint joke
jokes judgement keeping kilometre kite knee label lap larger lasting laughs laughter leading
level library lighter links loneliness longer lot marshmallows materials meals meteor missed
motion nearly neighbours nights nine normally novel numbers offers opinion overlaps owls
paddle pages paint passes peak per perfect performance picnic pictures pieces pilgrimage pin
plain plus pond pot practising practitioners predictions prepare principles privately
problems project quite quiz rain rate reaches reaching reactions reads reasons rebuttals
receives receiving recommend redesign relief relieved relive repair research respite
restates restful retells returning ride ring rocket rocks roll rounds routines rub running
rushing satisfying scares scarf science scratch screens sea seated section seemed selves
sending serving shelf shelter shifted shooting shout shower shown shrink signals silences
similar singing sleeping slower soak soft sometimes sore sorting spaghetti speech spirals
stakes staying stepping strokes strong strongest struck sudden suggest suitable summer
sunset supported survey swapping swim sync tandem teamwork technology thankful thanking
thinks third threatened tidying tight timelines title tonight tools torches torchlight tour
toward train trick tricky unwell views volunteering vote vulnerable wants welcomed west
wheel whoever whom wild willing wind window windowsill windy within woodworking worker
workshop worse worship written absurd acting acts adds admired advise advocate advocates
affects ages airplanes alarm alcohol allow alphabet also amazed amount angle angry animals
answered anxious apologies apologising apology app appointments arrange arrived article
ashamed astronomy available avoid awkward background backs bake bakes balloons balls based
bats bearable became becoming bedside began believing belonging benches beneath bereavement
beyond bill bingo bite blame block bodily boil bond bonds bottle branches branching breaths
bridge bringing broken browsing brush bucket burn bury cafe calendars called calming calmly
campaign candle car carefully cares celebrated chaplain chapters character charities
chatting cheap checks cheering cheers chopping chore church churchyard clarifies classroom
clay clean cleverest clinics closed closing clothes clouds club clumsy coach coat coin
collect comforts comment communicate computer connects constellations cooking cooperative
copies corners correct corrects costs counted counter covered covering crack cream creatures
criticism cry cuisine current cut daunting daylight deal debating decides defences defend
definitions deliver describes designs desk device die dignity dim director disagreeing disc
discovery discussing distant doctors drops earliest earned earphones editing eighteen elder
embarrassing emotional ended enter envelope equally especially essay exam exchange excuses
exist experiment failure farm fascinating fastest fee feedback festival figuring filled fine
finger finishing firmly flask flavours floor flowing focus fold folk footprints forces
forget forgiveness fort forty freeing frightening further gate gathering generous gesture
giggles glad grammar granted grids grip grounding grows guesswork guidance haircut handbook
handled happy harder hate heal heat heats helplines herbs hexagons hit hits holiday
homelessness honour hopeful hosts humour hunting hush ill images imagining included income
information ingredients injury ins inscriptions inspiring instructor interruption
interruptions intimate intranet introductory invitations invite issue items jackets jigsaw
jot joy judged juggle jumper karaoke kart kayak keepsake kettle kinder laid landed lately
lazy leaflet lean legacy legal lend length lift lifting likely likes limit lively load
logbook loosen loosens lose lotion loudest loves loving lowest lucky lunchtime lying maker
managed manager maps march marker market matching medicines meetings mend mental mention
messy midwives mirror missing mission mistake moderated monthly months moral mostly movement
movements moves muddy must mute natural nature neck negotiating neighbourhoods nerves ninety
non none normal nurse observatory occasion oddly openly option optional organised outdoor
outings overwhelmed owe owning painting paints palace palm paragraph passage passed passing
paths patience patient pattern pauses pay peaceful peer pen phrase picker picking picks
piles pistols pit planetarium plants pocket pointing pool pools portraits postcard pots
pottery powerful praise precious predict prefer presence pressing principle printed prize
probably promise prop protected puts puzzled quarry queue quickly quizmaster rake random
rank raw realistic reassure reassuring rebuild recreate red reflecting reflective register
registers relax relaxed release reliable remembering remembers report rescuing resist
resources responding restaurant resting restless retell reunion reusable revisit riddle
risks rituals riverbank rivers roots ropes row rushed scared scars scenes score sculpture
seats seek seems senses separate serious sets sharpens sheets ship shops shoreline shorter
sight sights silliest simulated size skills sliding slowing slows smile snow soaked socks
soften soil soon soup source sources sparks specifically speeches sponsored spoon spots
spotted stacks stands state stewards stirred stone strangers stream study style success sum
sums supply surface surfaced surprises swing symmetry systems taken talked tall tallest
tally tastes teller tense tension tent thanked theory though thousand thrilling throughout
thrower tick tidy tips tiredness tomorrow topics tourists tower traffic tread treasure
treated tuesday tune twice umbrella uncertain uncertainty uncomfortable underfoot
unexpectedly unfair unfamiliar uninterrupted unknowns unless unseen unsure unusual unusually
upbeat verses victory viewing viewpoints visiting visitors walker wanting war warmer warming
watched waving weighs whichever wide wishes won wordplay workday worlds worn worst
worthwhile wrap wrestling wrist zones
""".split()
)

#: Verbs that open titles, most frequent first.
TITLE_VERBS: tuple[str, ...] = tuple(
    """
take walk talk write hold ask build join share tell name go sit swap cook learn make spend
trade volunteer watch discuss draw explain find give keep map play read stay trace visit
attend celebrate describe hike interview invent look photograph plant send try admit
apologise call clear climb compare create do eat get hunt lie listen paddle race record
recreate retell return run solve start teach act answer argue breathe camp chalk cheer cycle
dance decide dig discover draft encourage enter explore fill fold glean greet grow have head
hear hide launch lead leave lend light mark measure mirror notice offer open order own paint
pick plan point post practise predict prepare put rake reach rearrange recall reconnect
redesign research rest restore retrace revisit ride save say seek serve set shadow shake
shop shout sing slow sort stargaze state suggest tackle team tend thank think toast tour
track train turn use wander weigh work
""".split()
)

#: Tags of activities other than professional support, with their counts.
TAGS: dict[str, int] = {
    tag: int(count)
    for tag, count in (
        item.split(":")
        for item in """
questions:83 feelings:61 reflection:54 values:48 memories:47 walking:46 nature:38
challenge:37 play:36 listening:35 adventure:33 gentle:33 team:33 long-distance:30 humor:29
learning:29 ritual:29 low-pressure:28 kindness:27 touch:27 appreciation:26 presence:26
clear-talk:25 future:22 rest:20 writing:19 mindfulness:18 volunteering:18 awe:17
gratitude:17 stress:16 surprise:16 family-history:15 games:14 music:14 food:13 history:13
science:13 crafts:12 faith:12 letters:12 childhood:11 class:11 dreams:11 home:11 sport:11
travel:11 water:11 conflict:10 cooking:10 gardening:10 movement:9 puzzles:9 stars:9 art:7
planning:7 dance:6 animals:5 reading:5 breathing:4 movies:4 photography:4 board-games:2
""".split()
    )
}

#: Tags of support activities (practice ``support``), with their counts.
SUPPORT_TAGS: dict[str, int] = {
    tag: int(count)
    for tag, count in (
        item.split(":")
        for item in """
individual:15 counselling:7 crisis:7 stress:7 support-group:6 planning:5 therapy:5
domestic-violence:4 couples-therapy:3 kindness:3 clear-talk:2 family-therapy:2 feelings:2 gentle:2
listening:2 conflict:1 faith:1 long-distance:1 low-pressure:1 presence:1 questions:1
reflection:1 rest:1 team:1 values:1
""".split()
    )
}
