"""English words that cost one token each (with their leading space) in common BPE vocabularies.

The 2,000 most frequent lower-case ASCII words of three letters or more among the
single-token words of the cl100k BPE vocabulary (by merge rank), plus 100 frequent Spanish,
French, German, Portuguese and Italian words that are single tokens there too.
:mod:`.tokens` counts them as one token each and prices other ASCII letters per character,
which is what separates English prose (about four characters per token) from other
Latin-script languages (about 2.5) without a tokenizer.
"""

_WORDS = """
aber ability able about above abs acc accept access accom according account accur achie
across act action actions activ active activities activity actual actually add added
addition additional address adjust admin adult adv advert aff after again against age ago
agre agree agreed air alert algo algunas algunos align all alleg alloc allow allowed allows
almost alone along already als also alt altern always among amount anal analysis and android
ang anim animal ann announc announced another answer ant ante antes anti any anyone anything
api app appe appear applic application apply appro approach appropri arch archivo are area
areas aren arg args argument arguments aria arm around arquivo arr array art article ask
asked ass assert associ associated assum async att attack attempt attention attr attribute
auch aud audio auf aus aut auth author auto autom available avec average avoid await away
back background bad ball band bank bar bas base based basic batch beaut beautiful became
because become bed been before beg began begin beginning beh behavior behind bei being bel
belie believe below ben benef benefits best bet better between bey big bill billion birth
bis bit black block blog blood blue board body book books bool boolean border both bottom
bound box boy brand bre break bring bro broad brought browser btn buf buffer build builder
building built bul bus business but button buy byte bytes cache cal calcul call callback
called calls cam came camera camp campaign can candid cannot cap capital capt car card cards
care career carry cart cas case cases cast catch category cause cele celebr cell cent center
cert certain chall challeng chance chang change changed changes channel char character
characters charg charge chat che check child children cho choice choose circ cit city claim
class classes clean clear click client clo clos close club cmd coach code col coll collect
collection color column com comb come comes comfort coming comm command comme comment
comments commit common communic community como comp compan companies company compar compared
compet compl comple complet complete completely complex component components comput computer
con conc concept concern condition conditions conduct conf config configuration confirm conn
connect connection cons consider considered consist console const constant constructor
consum cont contact contain container contains content context contin continue contr contra
contract contrib control controller conv convers convert cook cool cop copy copyright cor
core correct cost costs cou could couldn coun count counter countries country couple cour
course court cout cover cre creat create created creating cred credit crit cross crush ctx
cual cuando cult culture cur current currently custom customer customers cut daily dam
damage dans dark das dass dat data database date dating day days dead deal death deb debug
dec decided decision decl ded deep def default define defined definition deg del delay
delete deliver della dem demand demon den dep depend der des desc descri describe described
description desde design designed dest destroy det detail details deter determin dev develop
development device devices dialog dict did didn die dif diff differ difference different
difficult dig digital dim dir direct direction directly director directory dis disc discover
discuss dise dispatch display dist distance distrib distributed div doc document does doesn
dog doing doll dom don donde done door dos doub double down download draw drink drive driver
dro drop drug due durante durch during each ear earlier early earn earth eas easily easy
echo econ economic edge edit editor educ education eff effect effective effects effort ein
eine einem einen einer either elect election element elements elif ella ellos else email
emerg employ empty enable enc end endl energ energy eng engine enjoy enough ens ensure ent
enter entire entity entre entry enum env environment equ equal equipment err error errors
esa esc ese eso especially ess essential est esta establish estar estas este esto
estos etc eval even event events ever every everyone everything evid evidence exact exactly
exam example exc except exception exec exerc exist existing exists exit exp expect expected
exper experi experience expert expl explo export express expression ext extends extra extrem
eyes fac face fact fail failed fair fall false fam family fans far fast father favor
favorite feature features federal feed feel feet felt fem few fichier field fields fig fight
figure fil file filename files fill film filter fin final finally financial find fine finish
fire firm first fish fit five fix flag flex float floor flow focus follow following font
food foot for force fore foreach foreign form format former forms forward found four fra
frame fre free frequ fresh fri friend friends from front ful full fully fun func function
functions fund further future game games gar gas gave gen gener general generate get gets
getting girl girls give given gives giving gli global goal goes going gold good got gover
govern government grad grand graph gratis gre great greater green grid ground group groups
grow growth guard gun guy guys hab haben had hair half hand handle handler hands happ happen
happened happy har hard has hash hasta hat have having hay head header headers health hear
heard heart height held help her here high higher highly him himself his histor history hit
hold hom home hon hop hope hor host hot hour hours hous house how however href html http
https huge hum human icon ide idea ideas ident idx ign ill imag image images img imm immedi
immediately imp impact implement implements implied import important impro improve inc
includ include included includes including incre increase increased increasing ind inde
independ index indic indiv individual indu industry inf infl influ info inform information
ing init initial inj inline inn input ins insert inside inst install instance instead
instruction int integ integer intent inter interest interesting interface intern internal
international internet interview into introdu inv invest investig invol involved isn iss
issue issues ist item items iter its itself jav java javax job jobs join json jud just keep
key keys kids kill killed kind knew know knowledge known label lack land language larg large
las last lat late later latest launch law laws layer layout lead leader leaders leading
learn learning least leave led left leg legal len length les less let letter level levels
lib library license life light lik like likely lim limit limited line lines link list liter
little live lives living load loaded loc local located location lock log logger login long
longer look looked looking looks loop los loss lost lot love low lower machine made mag main
maint mais major make makes making man management manager manufact many map mar margin mark
market mask mass master mat match material materials math matrix matter max maximum
may maybe mean meaning means meas measure mechan med media medical meet meeting mehr mem
member members memory men mention menu mer message messages met method methods mid middle
might mil milit military mill million min mind minutes mis miss missing mit mix mobile mod
mode model models modern modify module mom moment mon money month months mor more morning
most mot mother mount mov move moved movement movie moving msg much mucho muchos mult multi
multiple mus music must mut muy myself nach nada name named names namespace nas nation
national natural nature near nearly necess necessary need needed needs neg neighb net
network never new news next nice nicht night nil noch node nombre non none nor norm normal
nos nosotros not note notes nothing notice nous nov now null nullptr num number numbers nur
obj object objects obs obt obtain occ oder off offer offers offic office official officials
offset often oil old once one ones online only open oper operation operations operator opin
opp opport opportunity opt optim option options ord order org organ organization orig origin
original other others otherwise otra otras otro otros our out output outside over override
own owner pack package padding page pages paid pain paint pair pan panel paper par para
param parameter parameters params parent parents park parse parser part partial partic
particip particular parts party pas pass passed password past pat path patients pattern pay
payload pen people per percent perfect perform performance period pero pers person personal
pet phone phot photo photos phys physical pick picture pie piece place placeholder places
plan plans plant platform play played player players playing ple please plot plt plus poco
pod point pointer points pol police policy polit political poll pool pop popular population
por porque port pos position positive poss possible post pot potential pour pow
power pract practice pre prec pred predict prem pres present president press pressure pret
pretty prevent previous price prices primary princip print printf prior priv private pro
prob probably proble problem problems proced process produ product production products prof
profession professional profile program programs progress project projects prom prop proper
properties property props prot prote protect protected prov provid provide provided provides
pub public publish published pull pur purch purchase purpose push put qual quality que query
quest question questions queue qui quick quickly quien quienes quite race rais raise random
range rank rap rate rather raw reach read reader reading readonly ready real really reason
rec rece receive received recent recently recogn recomm recommend record records rect red
redirect redu ref reference reg regard region register regular rel related relations
relationship release released relig rem remain remember remove removed ren render rep repe
repl report reported reports represent req requ request requests require required requires
res research reserved reset resource resources respect respond respons response rest restaur
result results ret return returned returns rev reve review right rights risk road rock role
roll room root rot round route row rows rule rules run running saf safe safety said sal sale
sales same sample sat save saved saw say saying says scale scen scene sch sched school
scient scope score screen script search season sec second seconds secret section security
see seek seem seems seen seg select selected selection self sell sem sen send sender sens
sense sent sentence separ ser serial series serious serv server service services session set
sets setting settings setup sever several shall shape share shared she shift
shoot short shot should show shown shows sich side sie sign signific significant sil sim
similar simple simply sin since sind single sit site sites situation six size sizeof skills
skin sleep slow small sobre social socket software sol sold solid solution som some someone
something sometimes son song sont soon sort sou sound source space spe speak spec special
specific specified speed spell spent split spot sql src stack staff stage stand standard
star start started starting stat state statement states static status stay std ste step
steps still stock stop storage store stories story str straight strateg stre stream stri
strict string strong struct structure stud student students study stuff style sub subject
subs success successful such suffer suggest sum summer sun sup super support supported sur
sure surface surpr surv sus switch symbol syn sys system systems tab table tag take taken
takes taking talk talking tanto target task tax teach team teams techn technology tell tem
temp temper template ten ter term terms terr test testing tests text than that the their
them theme thems themselves then there these they thing things think thinking third this
those though thought thous thread threat three through throughout throw throws tim time
times title tmp today todo todos together token told too took tool tools top tor tot total
touch tour tout towards town tra track trad trade train training trans transform transport
travel tre treat treatment tree tri tried true trust try trying turn turned two typ type
types uint uma una und undefined under understand une unique unit unless uno unos uns
unsigned until update updated upon url usar use used useful user username users uses using
usually util val valid value values van var vari variable variables various vec vector veh
vehicle ver vers version vert very via vict video videos view views viol virtual vis visit
void vol von vor vot vote wait walk wall want wanted wants war warrant was wasn watch water
way ways weak weap web website week weeks weight well went wer werden were what when where
whether which while white who whole whose why wide width wie wife will win window wird wish
with within without wom woman women won wonder wood wor word words work worked workers
working works world worth would writ write writer writing written wrong wrote year years yet
yield you young your yourself zero zum zur
"""

COMMON_WORDS = frozenset(_WORDS.split())
