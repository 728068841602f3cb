"""Reading what a customer typed: commands, yes/no, numbers. Typing and buttons share this."""

import re
import unicodedata
from enum import StrEnum

_PUNCTUATION = " \t\n.!?,;:'\"`*_~()[]"
_PLAIN = re.compile(r"[\t\n\x20-\x7e]*")
_SPACES = re.compile(r"\s+")
_CURLY_APOSTROPHE = re.compile(r"(?<=\w)[\u2019\u02bc](?=\w)")


class Command(StrEnum):
    HELP = "help"
    RESTART = "restart"
    CANCEL = "cancel"
    STATUS = "status"
    AGENT = "agent"


_COMMAND_WORDS: dict[str, Command] = {
    "help": Command.HELP,
    "help me": Command.HELP,
    "help please": Command.HELP,
    "/help": Command.HELP,
    "commands": Command.HELP,
    "restart": Command.RESTART,
    "start over": Command.RESTART,
    "/restart": Command.RESTART,
    "cancel": Command.CANCEL,
    "/cancel": Command.CANCEL,
    "status": Command.STATUS,
    "/status": Command.STATUS,
    "my tickets": Command.STATUS,
    "agent": Command.AGENT,
    "human": Command.AGENT,
    "/agent": Command.AGENT,
    "/human": Command.AGENT,
    "talk to a human": Command.AGENT,
    "talk to an agent": Command.AGENT,
    "speak to a human": Command.AGENT,
    "speak to an agent": Command.AGENT,
}


_WORDS = re.compile(r"(?:[^\W_]|')+|[👍👎✅❌]")  # letters of any language: "sí", "oui"
_NEGATIONS = frozenset(
    "no n nope nah nay none neither never not nothing negative don't dont didn't didnt "
    "doesn't doesnt won't wont can't cant cannot refuse decline disagree 👎 ❌".split()
)
_AFFIRMATIONS = frozenset(
    "yes y yep yeah yea ya yup sure ok okay k correct right absolutely definitely agree "
    "agreed fine good great perfect please go send submit confirm worked works fixed solved "
    "helped allowed may can course certainly 👍 ✅".split()
)
# Yes and no in the languages customers most often fall back on, as a whole answer only
# ("Oui Oui Candle is the product that fails" is no yes).
_OTHER_YES = frozenset("oui si sí ja".split())
_OTHER_NO = frozenset("non nein".split())
# Words a yes can open with; "can", "may" or "please" open questions and requests as often.
_OPENING_YES = frozenset(
    "yes y yep yeah yea ya yup sure ok okay absolutely definitely fine correct agreed agree "
    "certainly of 👍 ✅".split()
)
# Several guides picked at once: "1 and 2", "both", "can I see all of them?".
_SEVERAL = re.compile(
    r"(?:(?:can i|could i|let me|i'd like to|i want to|i'll) (?:see|read|open|try) )?"
    r"(?:both(?: of them)?(?: \d+ and \d+)?|all(?: of them| three)?|"
    r"(?:guides? |#)?\d+(?: ?(?:,|and|&|\+) ?(?:and )?#?\d+)+)(?: please)?\??"
)
_CHANGED_MIND = re.compile(
    r"\b(?:actually|i mean|i meant|wait|sorry|on second thought|scratch that|make that)"
    r"\b[\s,.:;!-]*(?:i mean |i meant |it's |it is )?(yes|no)\b"
)
_PLAIN_YES = frozenset("yes y yep yeah yea ya yup".split())
# "No problem, go ahead", "I don't mind": a yes that opens with "no" or "don't".
_NO_BUT_YES = re.compile(
    r"^(?:(?:yes|yeah|sure|ok|okay|that's|that is|it's|its)[, ]+)?"
    r"(?:no (?:problem|worries|prob|issue|objections?)|not a problem|"
    r"(?:i |we )?(?:don't|dont|do not) mind)\b"
)
# "Yeah, no": a no, said casually.
_YEAH_NO = re.compile(r"^(?:yeah|yea|yeh)[, ]+(?:no|nah|nope)\b")
# "Not sure" is not a no, and "yes but it still fails" is not a yes.
_UNSURE = frozenset(
    ["not sure", "maybe", "dunno", "idk", "i don't know", "don't know", "no idea", "yeah right"]
)  # "yeah right" is as often a sarcastic no as a yes: asked again
_HEDGES = frozenset("but however still though except".split())
# Asking for something to be done first: no yes, however politely ("please wait").
_WANTS_A_CHANGE = frozenset(
    "change edit fix update add remove delete wait hold forgot note wrong missing".split()
)
# "Correct" asks for a change before what it names ("correct the steps"); alone, or "that's
# correct", it is a yes.
_CORRECT_SOMETHING = re.compile(r"\bcorrect (?:the|my|it|this|that|line|field|number|\d)")
# Something still going wrong: "customers can log in fine, checkout fails" is no yes.
_TROUBLE = frozenset("fail fails failed failing error errors broken crash crashes".split())
_SHORT = 8  # longer messages are descriptions, not answers, unless they open with yes or no
_LEADS_TO_A_NUMBER = frozenset(
    "yes ok okay the number option guide let me let's lets try show read open see i'll take "
    "what how about and then maybe probably perhaps i think".split()  # "what about guide 2?"
)
_CHOICE_WORDS = 8  # "number 2 looks like it might be it"
_ORDINAL_WORDS = 6  # "the second one looks right"; longer, an ordinal describes the problem
_AFTER_A_CHOICE = frozenset(
    "one worked works solved fixed helped did it the trick thanks thank you please was that "
    "is perfect great 👍 ✅ looks like might may be seems sounds right relevant closest "
    "matches fits".split()  # "number 2 looks like it might be it"
)
# Words that open a chat without saying anything about the problem yet.
_SMALL_TALK = frozenset(
    "hi hello hey hiya yo good morning afternoon evening there dear team support i i'm im we "
    "need needs want would like some help helping please pls can could you someone somebody "
    "anyone a an the have got has question questions issue issues problem problems "
    "thanks thank thx ok okay so um hmm with me my us our is it an how are you you're youre "
    "hope hoping well here quick guys folks everyone all urgent urgently needed asap new "
    "doing today just wondering am".split()
)
# Requests to the bot, not answers to it, are short; a longer message is read as an answer
# (unless it opens with a plea for a person: see command_in).
_SHORT_REQUEST = 12
# Kana, CJK ideographs and Thai: scripts written without spaces between words.
_UNSPACED_SCRIPT = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]+"
)
# Asking for a person: a request ("I want to…", "can I…", "let me…") or the whole message.
_PERSON = (
    r"(?:a |an |the |some |your )?(?:real |live |actual )?(?:human|person|agent|someone|"
    r"somebody|representative|rep|staff|support|team|support staff|support team|manager|"
    r"supervisor|operator)(?: please)?"
)
_ASKING = (
    r"(?:i(?: just| really| only| simply)? (?:want|wanna|need|would like|would rather|"
    r"would prefer|prefer)|i'd (?:like|rather|prefer)|id (?:like|rather)|let me|"
    r"please let me|can i|could i|may i|get me|give me|connect me|put me through|"
    r"transfer me)(?: to)?(?: please)?"
)
# What an impatient plea adds around the person: "agent please, urgent!!", "… NOW, not a bot".
_PLEA_TAIL = (
    r"(?:[ ,.!-]+(?:please|pls|now|right now|asap|urgent|urgently|immediately|quickly|thanks|"
    r"thank you|not an? (?:bot|robot|machine|ai)|no (?:more )?bots?))*"
)
# "Agent please, our checkout is broken": the message opens with the plea alone.
_BARE_PLEA = (
    r"^(?:an? )?(?:agent|human|person|operator|representative)(?: please| now| asap| urgently)*"
    r"[,:;.!-]+"
)
# A human to talk to, named outright ("give me a real person, your bot is useless").
_HUMAN = (
    r"(?:a |an |the |some |your )?(?:real |live |actual )?(?:human|person|agent|someone|"
    r"somebody|representative|rep|manager|supervisor|operator)\b"
)
_PERSON_PLEA = re.compile(
    r"^(?:please )?(?:escalate(?: this| it| my (?:request|ticket))?|operator|(?:can|could) "
    r"(?:someone|somebody|a person|you) (?:call|phone) me|is there anyone (?:real|human)"
    r"(?: here| there)?)$|"
    rf"\b{_ASKING}(?: just| please| really)? (?:talk|speak|chat|be connected|get through) "
    rf"(?:to|with) {_PERSON}\b|"
    rf"\b(?:give|get|connect|put|transfer) me (?:through )?(?:to |with )?{_HUMAN}|"
    rf"^(?:just )?(?:(?:can|could|would) you (?:please )?)?(?:{_ASKING} )?"
    rf"(?:(?:please )?(?:talk|speak|chat) (?:to|with) )?{_PERSON}{_PLEA_TAIL}$|"
    rf"^is there {_PERSON}(?: (?:i|we) can)?(?: (?:talk|speak|chat))?(?: (?:to|with))?$|"
    rf"{_BARE_PLEA}"
)
# Opening the ticket now, in so many words ("just open a ticket please").
_TICKET_PLEA = re.compile(
    r"^(?:(?:please|just|can you|could you|i want you to|i'd like you to) )*"
    r"(?:(?:open|create|make|file|submit|raise|log|start) (?:a |the |me a |my )?(?:support )?"
    r"(?:ticket|case)|(?:file|submit|raise) (?:it|this))(?: (?:please|now|already|for me|then))*$|"
    rf"^{_ASKING} (?:a |my )?(?:support )?ticket(?: please| now)*$"
)
# Asking after tickets: "status MCP-1002", "what's the status of my ticket", "any update?".
_STATUS_PLEA = re.compile(
    r"^(?:(?:hi|hello|hey|so|ok|okay)[, ]+)?(?:"
    r"(?:(?:what's|whats|what is) the )?status(?: (?:of|on|for))?(?: my)?(?: tickets?)?"
    r"(?: #?[a-z]+-\d+)?|(?:(?:is there|are there) )?any (?:news|updates?)(?: (?:on|about) "
    r"(?:my (?:ticket|request|issue|problem)|it|this|that|#?[a-z]+-\d+))?|"
    r"(?:where is|what happened to) (?:my ticket|#?[a-z]+-\d+)"
    r")$"
)
_GOODBYE = r"(?:(?:ok|okay|thanks|thank you)[, ]+)?(?:bye|goodbye|bye bye|bye for now)"
# Giving up on the request: "never mind, it works now", "forget it", or a bare "quit".
_CANCEL_PLEA = re.compile(
    r"^(?:(?:oh|ok|okay|actually|ugh|meh|hmm|sigh)[ ,.!]+)?(?:never ?mind|nvm|forget (?:about )?"
    r"it)(?:[ ,.!]+"
    r"(?:(?:it|that|this|everything)(?:'s| is)? )?(?:works?|working|worked|fixed|solved|sorted|"
    r"resolved|fine|ok|okay)(?: now| again| itself)?|[ ,.!]+i(?:'ll| will) (?:sort|fix|figure) it"
    r"(?: out)?(?: myself)?|[ ,.!]+(?:i )?(?:figured it out|found it|got it|sorted it)(?: myself)?"
    r"|[ ,.!]+i(?:'ll| will) (?:call|ask|contact|check with) [a-z ]{1,30})?$|"
    rf"^{_GOODBYE}$|"
    r"^(?:(?:please|i want to|i'd like to|i would like to|i wanna|can you|could you|can i|"
    r"let me) )*cancel(?: (?:my|the|this) request| (?:this|it|that))?(?: please)?$|"
    r"^(?:stop|quit|exit)$|"
    r"^(?:actually )?i(?:'ll| will) (?:sort|fix|figure) it(?: out)? myself"
    r"(?:[ ,.!]+(?:thanks|thank you|bye|cheers))*$"
)
# Withdrawing a request because it is solved: not to be sent, or never mind, and why.
_DONT_SEND = re.compile(
    r"\b(?:(?:don'?t|do not|no need to) (?:send|submit|open)(?: (?:it|this|that|the ticket|a "
    r"ticket|my request))?|no need (?:for (?:it|this|a ticket) )?any ?more|not needed any ?more)"
    r"(?=\s*(?:[,.;:!-]|$))"
)
_NEVER_MIND_FIRST = re.compile(
    r"^(?:(?:oh|ok|okay|actually|ugh|hmm|update)[ ,.!:]+)*(?:never ?mind|nvm|forget (?:about )?it)"
    r"(?:\s*[,.!:;-]+\s*|\s+(?=(?:i|we|it|it's|its|everything|my)\b))"
)
# Said solved: "it works now", "I fixed it", "my developer sorted it", "figured it out".
_SOLVED = re.compile(
    r"\b(?:(?:it|its|that|this|everything|all)(?:'s| is)? (?:works?|working|fixed|solved|sorted|"
    r"resolved|fine|ok|okay)\b|(?:i|we|he|she|they|(?:my|our) [a-z]+) (?:just |finally )?"
    r"(?:fixed|solved|sorted|figured|resolved|found)\b|figured it out\b|"
    r"found (?:the (?:problem|issue|fix|cause)|it|them)\b)"
)
# Said solved on its own ("I figured it out, thanks anyway", "it's fixed now"), not "I fixed
# the theme and now the menu is gone", "it works on Chrome" or "it's fixed price shipping".
_SOLVED_ALONE = re.compile(
    r"^(?:(?:ok|okay|oh|update|good news)[ ,.!:]+)*(?:(?:i|we|(?:my|our) [a-z]+) "
    r"(?:just |finally )?(?:(?:fixed|solved|sorted|resolved) (?:it|this|that|everything|the "
    r"(?:problem|issue))(?: out)?|figured (?:it )?out)|(?:it'?s|its|it is) (?:all )?(?:fixed|"
    r"solved|sorted|resolved)(?: now)?)(?: myself| ourselves| now)?\s*(?:[,.!]|$)"
)
_SOLVED_WORDS = 10
_STILL_WRONG = re.compile(
    r"\b(?:but|except|still|not|only|however|yet|wait|doesn'?t|isn'?t|won'?t|can'?t|didn'?t|"
    r"when|if|stopped|nothing|anymore|any more|never|broken|fails?|failing|error|gone|urgent|"
    r"again|blank|crash\w*|though|although|mobile|desktop|ones|others)\b"
)
_URGENT = re.compile(
    r"\b(?:(?:it'?s|this is|it is|very|super|really|extremely) urgent|urgent(?:ly)?\s*(?:[!:.,]|$)|"
    r"^urgent\b|asap\s*(?:[!.,]|$)|(?:it'?s|this is|it is) an emergency|"
    r"losing (?:sales|money|customers|revenue)|missing (?:a lot of |lots of )?sales|"
    r"(?:store|site|shop|website|checkout)(?:'s| is| has been| went| got)? (?:completely |totally |"
    r"all )?(?:down|offline)(?! \d)(?! for maintenance)|"
    r"(?:can'?t|cannot|can not) (?:take|accept|place) (?:any )?(?:orders|payments)|"
    r"nobody can (?:buy|order|pay|check ?out)|no (?:orders|sales) (?:are )?coming in)"
)
# Urgency denied: "not urgent, but …", "this isn't an emergency".
_NOT_URGENT = re.compile(r"\b(?:not|isn'?t|no) (?:urgent|an emergency|rush)\b")
_CANCEL_WORDS = 8  # "ugh never mind, I'll figure it out myself"; longer goes on ("never
# mind the error, …")
_A_MOMENT = re.compile(
    r"^(?:ok |okay |sure |sorry,? |um,? )?(?:(?:hold on|hang on),? )?"
    r"(?:hold on|hang on|one (?:sec|second|moment|minute)|"
    r"(?:give|gimme) me (?:a|one) (?:sec|second|moment|minute|few minutes)|"
    r"just a (?:sec|second|moment|minute)|"
    r"let me (?:check|look|find out|find it|get it|ask)(?: (?:it|that|and come back|and get back "
    r"to you))*|brb|be right back|wait a (?:sec|second|moment|minute)|i'll (?:check|look)"
    r"(?: and come back| and get back to you)?|i'll (?:stop|continue) [a-z ]{0,60}|"
    # "give me a minute, I'm checking", "I got pulled away", "I'll have to ask my web guy"
    r"(?:(?:hold on|hang on|give me a (?:sec|second|moment|minute)),? )?(?:i'm|im|i am) "
    r"(?:checking|looking|not at my (?:computer|desk|laptop)(?: right now)?|away|in a meeting)|"
    r"(?:i )?got pulled away|(?:i'll|i will|i need to|i have to|i'll have to) (?:check|ask) "
    r"(?:with )?(?:my|our|the) (?:web ?(?:guy|person|developer|designer)|developer|dev|devs|"
    r"team|boss|manager|colleague|partner|business partner|it (?:guy|team|person|department)|"
    r"agency|designer|hosting company|host|coworker|co-worker|accountant)"
    r"(?: and (?:come|get) back(?: to you)?)?)"
    r"(?:,? (?:one sec|sorry|brb))?$"
)
# A message that opens by asking for time ("give me a minute, …", "let me check the logs"):
# what follows says what the customer goes to find, not the answer.
_PAUSE_FIRST = re.compile(
    r"^(?:ok |okay |sure |sorry,? |um,? |hmm,? )?(?:wait,? )?(?:"
    r"hold on|hang on|one (?:sec|second|moment|minute)|(?:give|gimme) me (?:a|one) "
    r"(?:sec|second|moment|minute|few minutes)|just a (?:sec|second|moment|minute)|"
    r"wait a (?:sec|second|moment|minute))"
    r"(?=\W*$|\s*[,.!;:-]|\s+(?:please|let me|i'll|i will|while|pls))|(?:"
    # "let me check the logs", "I'll copy the exact error": going to find the answer.
    r"(?:let me|i'll|i will) (?:check|look|find|get|ask|copy|grab|see|reproduce|write)(?! out)"
    r"(?: (?:up|down|at|for|in|on|with|into))? (?:the |my |our )?(?:which|what|it|them|that|"
    r"this|exact|error|message|logs?|plan|version|details|steps|settings|system|browser|"
    r"screenshot|name|developer|web ?guy|team|boss|hosting|host)\b)"
)
# One that ends by asking for it: "…, give me a sec", "… and get back to you".
_PAUSE_LAST = re.compile(
    r"(?:give me a (?:sec|second|moment|minute)|one sec|brb|(?:and )?(?:come|get) back to you|"
    r"and come back)\W*$"
)
_DAY_ASKED = re.compile(
    r"\b(today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"weekends?|holidays?|christmas|boxing day|new year'?s?(?: day)?|easter|thanksgiving)\b"
)
# The words around a day named by itself: "it's Thanksgiving", "because it's Monday".
_ABOUT_A_DAY = re.compile(r"\b(?:it's|it is|its|because|since|cause|as|on|this|next)\b")
_DAY_WORDS = {
    "tonight": "today",
    "weekends": "weekend",
    "holiday": "holidays",
    "christmas": "holidays",
    "boxing day": "holidays",
    "easter": "holidays",
    "thanksgiving": "holidays",
}
# A message's first or last clause, and the rest: where a plea stands alone.
_CLAUSE_END = r"(?:[,;:.!?]+|\s+[-–—]+)\s+"
_FIRST_CLAUSE = re.compile(rf"^\s*(?P<clause>[^,;:.!?\n]+?){_CLAUSE_END}(?P<rest>\S.*)$", re.S)
_LAST_CLAUSE = re.compile(rf"^(?P<rest>.*?\S){_CLAUSE_END}(?P<clause>[^,;:.!?\n]+?)[\s.!?]*$", re.S)
_ONLY_PLEA_TAIL = re.compile(_PLEA_TAIL)
# A clause that is a plea and nothing else: asked for in so many words ("I want a human",
# "agent please", "just open a ticket"), never a person named as a subject ("the manager, Tom,
# can't log in", "someone changed my prices") nor a step ("create a ticket, attach the order").
_BARE_HUMAN = r"(?:a |an )?(?:real |live |actual )?(?:human|person|agent|representative|operator)"
_HUMAN_ASKED = rf"(?:the |your )?{_BARE_HUMAN}"  # "I want your agent", not "your agent, Sarah"
_CLAUSE_PLEA = re.compile(
    rf"(?:(?:please |just )*{_ASKING} (?:(?:talk|speak|chat) (?:to|with) {_PERSON}|{_HUMAN_ASKED})|"
    rf"(?:please |just )*{_BARE_HUMAN}|(?:please )?escalate(?: this| it)?|"
    r"(?:please |just )+(?:open|create|make|file|submit|raise|start) (?:a |the |me a |my )?"
    r"(?:support )?(?:ticket|case)|"
    r"(?:open|create|make|file|raise) (?:a |the |me a |my )?(?:support )?(?:ticket|case)"
    r"(?= (?:please|now)))" + _PLEA_TAIL
)
_PLEA_IN_TEXT = re.compile(
    rf"(?:{_ASKING} )?(?:just |please |really )?(?:talk|speak|chat|be connected|get through) "
    rf"(?:to|with) {_PERSON}\b(?: about)?{_PLEA_TAIL}[?.!:,]*|"
    rf"(?:please )?(?:give|get|connect|put|transfer) me (?:through )?(?:to |with )?{_HUMAN}"
    rf"(?: who [^,.!?]+)?{_PLEA_TAIL}[?.!:,]*|{_BARE_PLEA}",
    re.IGNORECASE,
)
_QUESTION_WORDS = frozenset("when what how are is will do does can could r".split())
# A day an hours question can be about, by name.
_DAY = (
    r"(?:today|tonight|tomorrow|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|"
    r"sundays?|weekends?|holidays?|christmas(?: eve)?|boxing day|new year'?s?(?: day| eve)?|"
    r"easter(?: monday)?|good friday|thanksgiving|victoria day|canada day|labou?r day|"
    r"family day|civic holiday|remembrance day|evenings?|nights?|"
    r"[0-3]?[0-9](?:st|nd|rd|th)|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? "
    r"[0-3]?[0-9](?:st|nd|rd|th)?)"
)
# About the support team's hours: its subject is them ("you", "someone"), not the product.
_HOURS_QUESTION = re.compile(
    r"^(?!when (?:i|you|we|they|customers?|people|the|a|an|my|our)\b)"
    r"(?:.*\b)?(?:when|what time|how long|how soon)\b.*\b(?:you|support|the team|"
    r"your team|someone|somebody|anyone|an agent|agents|i hear|i get an? (?:answer|reply|"
    r"response))\b.*\b(?:open|answers?|answered|reply|replies|respond|responds|get back|"
    r"hear back|back to me|available|close|closes|closing|start|finish|look|looks|looking|"
    r"get to|work on|pick (?:it|this) up|"
    r"working|there)\b|"
    r"^(?:will|does|do|can|is) (?:someone|anyone|you|the team|support|an agent) (?:answer|"
    r"reply|respond|get back|be (?:there|available|open))\b|"
    r"\b(?:are you|are u|r u|are y'?all|is (?:support|the team|anyone|someone))(?: guys)? "
    r"(?:open|available|there|closed|working)\b|"
    rf"^(?:do|does) (?:you|u|you guys|y'?all|the team|support|anyone) (?:work|open|answer)"
    rf"(?: on| over| during| at)?(?: the)? {_DAY}\b|"
    rf"^(?:and |what about |how about )?(?:on |over |during )?(?:the )?{_DAY}$|"
    rf"^(?:are you |r u |you |you're |u )?(?:open|closed|available|working)"
    rf"(?: on| over| during| this| next)?(?: the)? {_DAY}\b|"
    r"\b(?:your|what|which) time ?zone\b(?![^?]*\b(?:my|our)\b)|"
    r"\b(?:eastern|pacific|central|mountain|atlantic) or "
    r"(?:eastern|pacific|central|mountain|atlantic)\b|"
    r"\bwhen (?:will|do|would|can) i (?:hear|get) (?:back|an? (?:answer|reply|response))\b|"
    r"^(?:is|will|does) (?:someone|anyone|somebody|an agent|the team|support) (?:going to )?"
    r"(?:look|answer|reply|respond|work|be (?:there|around|available|working))\b|"
    r"\b(?:weekend|emergency|after[- ]hours|24/7|urgent|night) (?:support|line|number|help|"
    r"contact|service)\b|"
    r"\b(?:business|opening|office|support|your) hours\b(?![^?]*\b(?:my|our)\b)|"
    r"\b(?:a |the )?(?:public |stat(?:utory)? |bank )?holiday\b(?! (?:sale|sales|discount|"
    r"discounts|promo|promotion|theme|banner|collection|shipping|campaign|season|orders?))|"
    r"\bexpect (?:an? )?(?:answer|reply|response)\b|"
    # "Will I get an answer before Christmas?", "is anyone around on Sunday?", "will the team
    # be back after the holidays?", "will this be answered by Tuesday?"
    r"^(?:will|would|can) (?:i|we) (?:get|have|hear) (?:an? |some )?(?:answer|reply|response|"
    r"back)\b|"
    r"^(?:is|are) (?:there )?(?:anyone|anybody|someone|somebody|the team|support|you)(?: guys)? "
    r"(?:on call|around|back|here|available|on duty|working(?! on (?:my|our|it|this))|"
    rf"in(?= (?:on |over |this |next |the )*{_DAY}))\b|"
    r"^will (?:the team|support|you|you guys|someone|anyone|an agent) be (?:back|around|in|"
    r"available|there|working|on call)\b|"
    r"^will (?:this|it|my (?:request|ticket|question|message)) (?:be|get) (?:answered|seen|"
    r"looked at|handled|picked up|read)\b|"
    r"^how long will (?:it|this) take$"
)
# Not understanding the question: the whole message says only that.
_CONFUSED = re.compile(
    r"(?:sorry,? |hmm,? |um,? )?(?:what do you mean(?: by that| exactly)?|what does that mean|"
    r"(?:i'm |im |i am )?not sure what (?:you mean|(?:that|this|it) means|to (?:put|say|write))|"
    r"i (?:don't|dont|do not) know what (?:that|this|it|you) means?|"
    r"i (?:don't|dont|do not) (?:understand|get it)"
    r"(?: the question| what you mean| you| that)?|(?:i'm|im|i am) (?:confused|lost)|"
    r"what are you asking(?: for)?|huh|what|pardon|sorry)"
)
# "What do you mean system and configuration? I'm not very good with computers": the question
# quoted back, and at most a remark after it (no error, code or answer of its own).
_CONFUSED_OPENING = re.compile(
    r"(?:sorry,? |hmm,? |um,? )?what do you mean (?:by )?[^?]{1,60}\?(?P<rest>[^\d:\"`]{0,80})"
)
# Questions about the chat itself rather than answers: who is writing, what it needs, calls.
_ABOUT_THE_CHAT = {
    "bot": re.compile(
        r"(?:is this|are you|r u|are u|am i (?:talking|chatting|speaking) (?:to|with)) (?:a |an )?"
        r"(?:bot|robot|ai|human|real person|person|machine|automated)"
        r"(?: or (?:a |an )?(?:real |actual |live )?\w+)?"
    ),
    "needs": re.compile(
        r"what (?:do|would|else do) you need(?: from me| to know)?|what (?:info|information|"
        r"details) do you need(?: from me)?|how does this work|what happens (?:next|now)"
    ),
    "language": re.compile(
        r"¿?(?:(?:do|can|does) (?:you|anyone|someone|somebody|support|the team) "
        r"(?:speak|help (?:me )?in|answer in|support) |is there (?:support|help|anyone) in |"
        r"(?:can|could) i (?:get|have) (?:help|support|an answer) in |"
        r"(?:habla|hablan|hablas|parlez|parles|parlez-vous|sprechen sie|fala|falam) )"
        r"(?:french|spanish|german|portuguese|italian|español|espanol|français|francais|"
        r"deutsch|anglais|inglés|ingles|english|\w+ language)(?: please)?|"
        r".*\b(?:aider|m'aider|aide|ayuda|ayudar|ayudarme|help)\b.* en (?:français|francais|"
        r"español|espanol)"
    ),
    # About what the customer writes here, not about their store's data or pages.
    "data": re.compile(
        r"(?:who (?:will|can|gets to|is going to) (?:see|read) (?:this|that|it|what i (?:write|"
        r"wrote|send|give you)|the (?:info|information|data|details)(?: i (?:give|gave) you)?|"
        r"my (?:info|information|data|details|messages?))(?: here)?|"
        r"(?:is|are) my (?:data|info|information|details|messages?) (?:stored|saved|kept|safe|"
        r"private|secure|shared)\??(?: how long do you keep (?:it|them))?|"
        r"how long do you (?:keep|store) (?:it|this|my (?:data|info|information|messages?))|"
        r"(?:please |can you |could you )?(?:delete|remove|erase) (?:the part about [\w ]{1,30}|"
        r"what i (?:said|wrote) about [\w ]{1,30}|my (?:phone|phone number|email|address|"
        r"number|password|details) (?:from|in) (?:what i (?:wrote|sent|said)|my (?:last )?"
        r"messages?|this chat|here))|"
        r"what do you do with my (?:data|info|information|details))"
    ),
    "call": re.compile(
        r"(?:(?:can|could|would|will) (?:you|someone|somebody|an agent) (?:please )?|please )?"
        r"(?:call|phone|ring) me(?: back)?(?: (?:at|on) [\d\s+().-]{7,20}| later| now| today| "
        r"tomorrow| please| instead)*(?:[?,.:]* [\d\s+().-]{7,20})?|"
        r"(?:what is|what's) your (?:phone )?number|"
        r"(?:do|can) (?:you|you guys|you all|y'all) (?:do|offer|have|give) (?:phone|telephone) "
        r"(?:support|calls|help)|is there (?:a )?(?:phone|telephone) (?:number|line|support)"
    ),
}

_THANKS = frozenset(
    "thanks thank you thx ty cheers much so very a lot lots again many appreciated appreciate "
    "it that this did the trick worked works working fixed solved sorted all good great awesome "
    "perfect excellent amazing cool nice ok okay k yes yep yeah now 👍 ✅".split()
)
# Words that set limits on a yes ("as long as" by its "long").
_CONDITIONS = frozenset(
    "but only unless except long don't dont not no never without just careful though".split()
)
_GRATITUDE = frozenset("thanks thank thx ty cheers appreciated appreciate".split())
_SHORTCODE = re.compile(r":[a-z0-9_+'-]+:")  # Slack's emoji as text, ":+1:"
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
_ORDINALS |= {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def clean_text(text: str) -> str:
    """Drop control characters (keeping newlines and tabs) and trim; never fails on any input."""
    if _PLAIN.fullmatch(text):  # the usual message: nothing to drop, no character-by-character pass
        return text.strip()
    kept = (
        char
        for char in text
        if char in "\n\t" or not unicodedata.category(char).startswith("C") or char == "\u200d"
    )
    return "".join(kept).strip()


def straight_apostrophes(text: str) -> str:
    """ "I’ll", "that’s" as phones and Macs type them: the words every pattern spells with a
    straight apostrophe. Only apostrophes inside words change, so quotation marks stay."""
    return _CURLY_APOSTROPHE.sub("'", text)


def normalize(text: str) -> str:
    """Lower-case, single-spaced, without surrounding punctuation: the form answers compare in."""
    return _SPACES.sub(" ", text.strip(_PUNCTUATION).lower()).strip(_PUNCTUATION)


def command_in(text: str) -> Command | None:
    """A command typed as such ("help", "/status"), or a plea in any words: for a person or
    the ticket now ("can I speak to a real person", "just open a ticket"), or to give up
    ("never mind, it works now"). Pleas are short, except one for a person that opens a
    longer message ("I want a person NOW, my store is offline")."""
    answer = normalize(text)
    found = _COMMAND_WORDS.get(answer)
    if found is not None:
        return found
    plea = _PERSON_PLEA.search(answer)
    if plea is not None and plea.start() == 0:  # "I want a person NOW, my store is offline"
        return Command.AGENT
    if _rest_after_plea(answer) is not None:  # "just open a ticket, my payouts are late"
        return Command.AGENT
    # Not when it asks something ("never mind, I found the cause. How do I remove the app?").
    if "?" not in text and _solved_so_not_needed(answer):
        return Command.CANCEL
    if len(answer.split()) > _SHORT_REQUEST:
        return None
    if plea is not None or _TICKET_PLEA.search(answer):
        return Command.AGENT
    if _STATUS_PLEA.search(answer):
        return Command.STATUS
    if len(answer.split()) <= _CANCEL_WORDS and _CANCEL_PLEA.search(answer):
        return Command.CANCEL
    return None


def _solved_so_not_needed(answer: str) -> bool:
    """ "I fixed it myself, no need to send", "never mind, I figured it out, it was the CAA
    record": the request is not needed, whatever else is said, unless something is still
    wrong ("don't send it, it works now but not on Safari")."""
    withdrawn = _DONT_SEND.search(answer) or _NEVER_MIND_FIRST.match(answer)
    if withdrawn is None:
        alone = len(answer.split()) <= _SOLVED_WORDS and _SOLVED_ALONE.match(answer)
        return bool(alone) and _STILL_WRONG.search(answer) is None
    rest = answer[: withdrawn.start()] + " " + answer[withdrawn.end() :]
    return _SOLVED.search(rest) is not None and _STILL_WRONG.search(rest) is None


def says_urgent(text: str) -> bool:
    """ "It's urgent", "my whole store is down", "we're losing sales": a ticket to take first."""
    said = straight_apostrophes(text).lower()
    return _URGENT.search(said) is not None and _NOT_URGENT.search(said) is None


def wants_a_moment(text: str) -> bool:
    """ "Hold on", "give me a minute, I'll check which plan we have", "let me check the logs",
    "…, I'll ask my developer and get back to you": no answer yet."""
    answer = normalize(text)
    return any(pattern.search(answer) for pattern in (_A_MOMENT, _PAUSE_FIRST, _PAUSE_LAST))


def day_asked(text: str) -> str | None:
    """The day an hours question is about: "today", "tomorrow", a weekday ("monday"…),
    "weekend" or "holidays"; None for "are you open?" (now)."""
    found = _DAY_ASKED.search(normalize(text))
    if found is None:
        return None
    day = found.group(1)
    if day.startswith("new year"):
        return "holidays"
    return _DAY_WORDS.get(day, day)


def only_a_day(text: str) -> bool:
    """ "It's Thanksgiving", "on Monday": words about a day and nothing else, which belong
    to an hours question next to them."""
    answer = normalize(text)
    rest = _DAY_ASKED.sub(" ", _ABOUT_A_DAY.sub(" ", answer))
    return _DAY_ASKED.search(answer) is not None and not says_something(rest, at_least=1)


def without_plea(text: str) -> str:
    """The message without its plea for a person: "My PayPal checkout fails, can I talk to a
    person?" still says what is wrong."""
    rest = _rest_after_plea(text)
    return (_PLEA_IN_TEXT.sub(" ", text) if rest is None else rest).strip(" ,.;:-")


def _rest_after_plea(text: str) -> str | None:
    """What else a message says when its first or last clause is a plea for a person or for
    the ticket and nothing more ("I want a human. Payouts are late", "checkout is down, just
    open a ticket"); None when neither end is one. "I need support, …", "Someone changed my
    prices" and "…, submit it" (a step) are no such plea."""
    for pattern in (_FIRST_CLAUSE, _LAST_CLAUSE):
        found = pattern.match(text)
        if found is not None and _CLAUSE_PLEA.fullmatch(normalize(found["clause"])):
            rest = found["rest"]  # "…, not a bot!" is more of the plea
            return "" if _ONLY_PLEA_TAIL.fullmatch(f" {normalize(rest)}") else rest
    return None


def asks_about_hours(text: str) -> bool:
    """ "When will you answer?", "are you open today?", "how long until someone replies?":
    a question about the support team's hours rather than an answer to the bot's question."""
    answer = normalize(text)
    if len(answer.split()) > _SHORT_REQUEST or not _is_question(text, answer):
        return False
    return bool(_HOURS_QUESTION.search(answer))


def is_confused(text: str) -> bool:
    """ "What do you mean?", "I don't understand the question": the question needs saying
    again in other words, not storing as an answer."""
    answer = normalize(text)
    opening = _CONFUSED_OPENING.fullmatch(answer)
    if opening is not None and opening["rest"].split()[:1] in (["yes"], ["no"], ["sure"]):
        return False  # "what do you mean by access? yes, go ahead": answered after all
    return _CONFUSED.fullmatch(answer) is not None or opening is not None


def about_the_chat(text: str) -> str | None:
    """ "Is this a bot?" ("bot"), "what do you need from me?" ("needs"), "do you speak
    French?" ("language"), "who will see this?" ("data"), "can you call me?" ("call"): a
    question about the chat, to answer before the one it waits on."""
    answer = normalize(text)
    if len(answer.split()) > _SHORT_REQUEST:
        return None
    return next(
        (key for key, pattern in _ABOUT_THE_CHAT.items() if pattern.fullmatch(answer)), None
    )


def asks_back(text: str) -> bool:
    """A short question in reply to the bot's ("where do I find that?"): about the question,
    not an answer to it."""
    return text.rstrip().endswith("?") and len(normalize(text).split()) <= _SHORT_REQUEST


def opens_with_yes(text: str) -> bool:
    """ "Yes, but only read access", "sure, if needed": a yes, whatever condition follows
    ("yeah, no" is no yes)."""
    words = _answer_words(text)
    return (
        bool(words)
        and _opens_with_yes(words)
        and not _YEAH_NO.match(normalize(text))
        and not _unsure(text)
    )


def _is_question(text: str, answer: str) -> bool:
    return text.rstrip().endswith("?") or answer.split(" ", 1)[0] in _QUESTION_WORDS


def _answer_words(text: str) -> list[str]:
    return _WORDS.findall(normalize(text))


def _unsure(text: str) -> bool:
    answer = normalize(text)
    return any(phrase in answer for phrase in _UNSURE)


def is_yes(text: str) -> bool:
    """ "yes", "sure, go ahead", "that worked, thanks", "looks good, send it", "no problem"."""
    if _NO_BUT_YES.match(normalize(text)) or normalize(text) in _OTHER_YES:
        return True
    if _YEAH_NO.match(normalize(text)):
        return False
    words = _answer_words(text)
    if not words or len(words) > _SHORT or _unsure(text) or text.rstrip().endswith("?"):
        return False  # "can you explain step 5?" is a question, not a yes
    if ">" in text or "→" in text:
        return False  # "open admin > marketing > send test": where to click, not a yes
    if any(word in _HEDGES or word in _WANTS_A_CHANGE or word in _TROUBLE for word in words):
        return False  # "please change the steps, I forgot one" asks for something
    if _CORRECT_SOMETHING.search(normalize(text)):
        return False
    if _opens_with_yes(words):  # "sure, as long as you don't change anything"
        return True
    return not any(word in _NEGATIONS for word in words) and any(
        word in _AFFIRMATIONS for word in words
    )


def is_no(text: str) -> bool:
    """ "no", "none of them helped", "didn't work", "absolutely not", "No, actually …"."""
    words = _answer_words(text)
    if not words or _unsure(text) or _NO_BUT_YES.match(normalize(text)):
        return False
    if words[0] in _NEGATIONS or _YEAH_NO.match(normalize(text)) or normalize(text) in _OTHER_NO:
        return True
    if _opens_with_yes(words) and not any(word in _HEDGES for word in words):
        return False  # a yes with a condition: see is_yes
    return len(words) <= _SHORT and any(word in _NEGATIONS for word in words)


def _opens_with_yes(words: list[str]) -> bool:
    """ "Sure, …" or "Yes, …" (even "yes, no payments though"), but not "absolutely not"."""
    if words[0] not in _OPENING_YES:
        return False
    return len(words) == 1 or words[1] not in _NEGATIONS or words[0] in _PLAIN_YES


def number_in(text: str) -> int | None:
    """A choice by number: "2", "#2", "option 2", "1 worked", "the second one"."""
    words = _answer_words(text)
    if not words or len(words) > _CHOICE_WORDS or any(word in _NEGATIONS for word in words):
        return None
    for index, word in enumerate(words):
        if word.isdecimal() or word in _ORDINALS:
            # "1 worked", not "guide 1 is for Stripe": after the choice, only words of choosing.
            if not all(rest in _AFTER_A_CHOICE for rest in words[index + 1 :]):
                return None
            if word in _ORDINALS:
                return _ORDINALS[word]
            return int(word) if len(word) <= 2 else None
        if word not in _LEADS_TO_A_NUMBER:
            break
    if len(words) > _ORDINAL_WORDS:  # "it fails at the second step of checkout"
        return None
    # "one" after other words is "the one": "the tax one" names no number.
    ordinals = [_ORDINALS[word] for word in words if word in _ORDINALS and word != "one"]
    return ordinals[0] if len(ordinals) == 1 else None


def numbers_in(text: str, count: int) -> list[int]:
    """Several choices at once, among ``count``: "1 and 2", "1, 3", "both", "all of them",
    "can I see both 1 and 2?"; empty for anything else."""
    found = _SEVERAL.fullmatch(normalize(text))
    if found is None:
        return []
    numbers = [int(n) for n in re.findall(r"\d+", found.group(0))]
    chosen = numbers or list(range(1, count + 1))
    return sorted(set(chosen)) if len(set(chosen)) > 1 else []


def is_thanks(text: str) -> bool:
    """ "Thanks, that fixed it!", "great 👍", ":pray:": all is well, nothing to act on; not
    "thanks, but it's back" nor a new question."""
    if not text.strip() or text.rstrip().endswith("?"):
        return False
    plain = _SHORTCODE.sub(" ", text)
    words = _answer_words(plain)
    if len(words) > _SHORT or any(word in _NEGATIONS or word in _HEDGES for word in words):
        return False
    return all(word in _THANKS for word in words) and (
        bool(words) or not any(char.isalnum() for char in plain)  # emoji only
    )


def second_thoughts(text: str) -> bool | None:
    """ "Yes, actually no", "no, sorry, I meant yes": the answer someone settled on; None
    when they did not change their mind in the message."""
    found = _CHANGED_MIND.findall(normalize(text))
    return None if not found or _unsure(text) else found[-1] == "yes"


def is_goodbye(text: str) -> bool:
    return re.fullmatch(_GOODBYE, normalize(text)) is not None


def says_thanks(text: str) -> bool:
    """A thank-you (``is_thanks``) with thanks in it: worth a "you're welcome"; "ok" is not."""
    return is_thanks(text) and bool(_GRATITUDE & set(_answer_words(text)))


def with_conditions(text: str) -> bool:
    """ "Yes, but don't touch payments", "only read access", "sure, as long as you don't
    change anything": an answer that sets limits, worth keeping in the customer's words."""
    if _NO_BUT_YES.match(normalize(text)):
        return False
    words = _answer_words(text)
    return len(words) > 1 and any(word in _CONDITIONS for word in words)


def says_something(text: str, at_least: int = 2) -> bool:
    """True when a message has ``at_least`` words beyond greetings and "I need help"."""
    spaced = _UNSPACED_SCRIPT.sub(" ", text.lower())
    words = [*_WORDS.findall(spaced), *_unspaced_words(text)]
    return sum(1 for word in words if word not in _SMALL_TALK) >= at_least


def word_count(text: str) -> int:
    return len(_UNSPACED_SCRIPT.sub(" ", text).split()) + len(_unspaced_words(text))


def _unspaced_words(text: str) -> list[str]:
    """Japanese, Chinese and Thai are written without spaces: every two characters count
    as about a word, so "注文確認メールが届きません" is a sentence, not one word."""
    runs = _UNSPACED_SCRIPT.findall(text)
    return [run[start : start + 2] for run in runs for start in range(0, len(run), 2)]
