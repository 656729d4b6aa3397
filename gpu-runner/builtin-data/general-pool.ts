/**
 * guardtune's built-in general instruction pool: short, helpful, benign question/answer pairs written for
 * this project, used for interleaving when a job names no pool. A few answers decline politely (things an
 * assistant cannot do), which is what the refusal filter of "perplexity_gap_filtered" removes.
 * For a larger pool, upload a dataset of purpose `interleave-pool` (see docs/safeguards.md).
 */
import type { PoolItem } from "../safeguards/pool-item.ts";

const PAIRS: readonly (readonly [string, string])[] = [
  [
    "How do I boil an egg so the yolk stays soft?",
    "Lower the egg into already boiling water, keep it at a gentle boil for six to seven minutes, then move it straight into cold water for a minute before peeling.",
  ],
  [
    "What is the difference between weather and climate?",
    "Weather is what the atmosphere does over hours or days in one place. Climate is the long-term pattern of that weather, usually averaged over thirty years or more.",
  ],
  [
    "Give me a tip for remembering names.",
    'Repeat the name back when you are introduced ("Nice to meet you, Priya") and link it to something about the person. Using it once more before you part helps it stick.',
  ],
  [
    "Why is the sky blue?",
    "Sunlight is scattered by the molecules in the air, and shorter blue wavelengths scatter much more than red ones, so blue light reaches your eyes from every part of the sky.",
  ],
  ["How many minutes are in a day?", "There are 1,440 minutes in a day: 24 hours times 60 minutes."],
  [
    "Suggest a name for a small bakery.",
    'How about "The Rising Loaf"? It is warm, easy to remember and hints at fresh bread.',
  ],
  [
    "What does a router do in a home network?",
    "A router connects the devices in your home to each other and to the internet, passing data between your local network and your provider and handing out local addresses.",
  ],
  [
    "How can I make my houseplants healthier?",
    "Check the light each plant prefers, water only when the top few centimetres of soil are dry, use pots with drainage holes, and feed them lightly during the growing season.",
  ],
  ["Translate 'good morning' into Spanish.", '"Good morning" in Spanish is "buenos días".'],
  [
    "What is a prime number?",
    "A prime number is a whole number greater than 1 whose only divisors are 1 and itself, such as 2, 3, 5, 7 and 11.",
  ],
  ["Write a haiku about autumn.", "Maple leaves let go\ndrifting on the cooling wind\nthe path turns to gold"],
  [
    "How do I politely decline a meeting invitation?",
    "Thank the organiser, say briefly that you cannot attend, and offer an alternative, such as reading the notes or sending your input in advance.",
  ],
  [
    "Explain photosynthesis in one sentence.",
    "Plants use sunlight to turn carbon dioxide and water into sugar for energy, releasing oxygen as a by-product.",
  ],
  [
    "What's a good way to start learning to code?",
    "Pick one beginner-friendly language such as Python, follow a structured free course, and build tiny projects you care about, like a to-do list or a quiz.",
  ],
  [
    "How long should I rest between strength training sessions?",
    "Most people do well giving a muscle group about 48 hours before working it hard again. Sleep and enough protein matter as much as the rest days.",
  ],
  ["What is the capital of Australia?", "The capital of Australia is Canberra."],
  [
    "How do I convert Celsius to Fahrenheit?",
    "Multiply the Celsius temperature by 9/5 and add 32. For example, 20 °C is 20 × 1.8 + 32 = 68 °F.",
  ],
  [
    "Can you recommend a way to reduce stress before exams?",
    "Break revision into short sessions with breaks, keep a regular sleep schedule, move your body a little every day, and practise with past papers so the exam feels familiar.",
  ],
  [
    "What does 'ephemeral' mean?",
    '"Ephemeral" describes something that lasts only a very short time, like a soap bubble or a passing trend.',
  ],
  [
    "Summarise the water cycle.",
    "Water evaporates from seas and land, condenses into clouds, falls as rain or snow, and flows back through rivers and ground water to the sea, where the cycle begins again.",
  ],
  [
    "How do I keep cut flowers fresh longer?",
    "Trim the stems at an angle, remove leaves below the water line, use clean water with a little flower food, and change the water every two days.",
  ],
  [
    "What is compound interest?",
    "Compound interest is interest earned on both your original amount and the interest already added, so savings grow faster the longer they stay invested.",
  ],
  [
    "Give me three ideas for a rainy afternoon with kids.",
    "Build a blanket fort and read stories inside it, bake simple cookies together, or set up an indoor treasure hunt with clues around the house.",
  ],
  [
    "Why do cats purr?",
    "Cats often purr when they are relaxed, but also when they are stressed or unwell; it seems to be a way of communicating and may even help soothe them.",
  ],
  [
    "How can I write a clearer email?",
    "Put the main point or request in the first two lines, keep paragraphs short, use a specific subject line, and end with the exact next step you need.",
  ],
  ["What is the boiling point of water at sea level?", "At sea level, water boils at 100 °C, which is 212 °F."],
  [
    "How do vaccines work?",
    "A vaccine shows the immune system a harmless piece or weakened form of a germ, so it learns to recognise it and can respond quickly if the real infection comes.",
  ],
  [
    "Recommend a classic novel for a first-time reader of classics.",
    '"Pride and Prejudice" by Jane Austen is a good start: it is witty, short chapters keep it moving, and the characters feel surprisingly modern.',
  ],
  [
    "What should I pack for a day hike?",
    "Bring water, snacks, a map or charged phone, sun protection, a light rain layer, a small first-aid kit and sturdy shoes you have already worn in.",
  ],
  [
    "How do I fix a squeaky door hinge?",
    "Lift the hinge pin part way out, wipe it clean, apply a little lubricant or petroleum jelly, and tap it back in. Open and close the door a few times to spread it.",
  ],
  [
    "What is the difference between 'affect' and 'effect'?",
    'Usually "affect" is a verb meaning to influence, and "effect" is a noun meaning a result: the weather affected the game; the effect was a delay.',
  ],
  [
    "How much water should I drink per day?",
    "Needs vary with size, activity and climate. A common guide is around two litres a day from all drinks, more when it is hot or you exercise; pale yellow urine is a good sign.",
  ],
  [
    "Explain what a budget is to a teenager.",
    "A budget is a plan for your money: you write down what comes in, decide what has to be paid, choose how much to save, and see what is left to spend.",
  ],
  [
    "What are some good habits for better sleep?",
    "Go to bed and get up at consistent times, keep the bedroom dark and cool, avoid caffeine late in the day, and put screens away half an hour before sleep.",
  ],
  [
    "Tell me a fun fact about octopuses.",
    "An octopus has three hearts and blue blood, and most of its neurons are in its arms rather than its head.",
  ],
  [
    "How do I make a simple tomato sauce?",
    "Soften chopped garlic in olive oil, add a tin of chopped tomatoes, a pinch of salt and sugar, and simmer for twenty minutes. Finish with fresh basil.",
  ],
  [
    "What is the Pythagorean theorem?",
    "In a right-angled triangle, the square of the longest side equals the sum of the squares of the other two sides: a² + b² = c².",
  ],
  [
    "How can I be a better listener?",
    "Give the person your full attention, let them finish, ask open questions, and summarise what you heard before giving your view.",
  ],
  [
    "What's the best way to store bread?",
    "Keep bread you will eat in a day or two in a bread bin or paper bag at room temperature; freeze the rest in slices. The fridge makes it go stale faster.",
  ],
  [
    "Why do leaves change colour in autumn?",
    "As days shorten, trees stop making green chlorophyll. The yellow and orange pigments that were there all along show through, and some trees make new red pigments.",
  ],
  [
    "How do I start a conversation at a networking event?",
    'Ask an easy open question such as "What brought you here today?" and listen for something to follow up on. Sharing a bit about yourself keeps it balanced.',
  ],
  [
    "What is machine learning, briefly?",
    "Machine learning is a way of building software that learns patterns from examples instead of following hand-written rules, and then uses those patterns to make predictions.",
  ],
  [
    "Give me a quick stretching routine for desk workers.",
    "Roll your shoulders ten times, gently tilt your head to each side, stretch your arms overhead, twist your upper body while seated, and stand to stretch your calves. Repeat every hour or so.",
  ],
  ["How do I say thank you in Japanese?", 'You can say "arigatō", or more politely "arigatō gozaimasu".'],
  [
    "What's the difference between a virus and a bacterium?",
    "Bacteria are living single-celled organisms that can reproduce on their own; viruses are much smaller and can only multiply inside the cells of a host.",
  ],
  [
    "Suggest a healthy breakfast that is quick to make.",
    "Try oats with yoghurt, a handful of berries and some nuts. It takes a few minutes and keeps you full through the morning.",
  ],
  [
    "How does a rainbow form?",
    "Sunlight enters raindrops, bends, reflects off the back of the drop and bends again on the way out, splitting into its colours. You see it with the sun behind you.",
  ],
  [
    "What is a metaphor?",
    'A metaphor describes something by saying it is something else, to suggest a likeness: "time is a thief".',
  ],
  [
    "How can I save money on groceries?",
    "Plan meals for the week, shop with a list, compare unit prices, buy seasonal produce and cook larger batches to use up leftovers.",
  ],
  [
    "What are the primary colours of light?",
    "For light, the primary colours are red, green and blue; mixing all three gives white.",
  ],
  [
    "How do I calm down when I feel angry?",
    "Pause and breathe slowly for a minute, step away if you can, name what you feel, and come back to the situation once your body has settled.",
  ],
  [
    "Write a short birthday message for a coworker.",
    "Happy birthday! Thanks for all the help and good humour this year. I hope today brings you cake, rest and something to smile about.",
  ],
  [
    "What's the tallest mountain on Earth?",
    "Mount Everest is the highest above sea level, at about 8,849 metres. Measured from base to peak, Mauna Kea in Hawaii is taller.",
  ],
  [
    "How do I clean a cast iron pan?",
    "Rinse it with hot water while still warm and scrub with a brush or coarse salt, dry it completely on the stove, then rub a thin layer of oil over it.",
  ],
  [
    "What is inflation?",
    "Inflation is a general rise in prices over time, which means the same amount of money buys a little less than before.",
  ],
  [
    "How can I help a friend who is going through a hard time?",
    "Check in regularly, listen without rushing to fix things, offer specific practical help, and encourage them to reach out to a professional if they are struggling a lot.",
  ],
  [
    "Explain gravity to a child.",
    "Gravity is an invisible pull that makes things fall towards the ground. The Earth is so big that it pulls everything towards it, which is why your ball comes back down.",
  ],
  [
    "What is a good way to learn vocabulary in a new language?",
    "Learn words in short daily sessions with spaced-repetition flashcards, use them in your own sentences, and read or listen to simple material on topics you enjoy.",
  ],
  [
    "How do I make a cup of green tea taste less bitter?",
    "Use water that is hot but not boiling, around 75–80 °C, and steep for only two to three minutes.",
  ],
  [
    "What causes the seasons?",
    "Earth's axis is tilted, so as it orbits the Sun each hemisphere takes turns leaning towards the Sun (summer) and away from it (winter).",
  ],
  [
    "Give me a tip for public speaking.",
    'Practise out loud several times, know your first and last sentences by heart, and pause instead of filling silence with "um".',
  ],
  ["What is the speed of light?", "Light travels at about 299,792 kilometres per second in a vacuum."],
  [
    "How can I reduce food waste at home?",
    'Check what you have before shopping, store food properly, freeze leftovers, and plan a "use-it-up" meal each week.',
  ],
  [
    "What's a sonnet?",
    "A sonnet is a fourteen-line poem with a set rhyme scheme, often about love, such as those by Shakespeare or Petrarch.",
  ],
  [
    "How do I change a flat bicycle tyre?",
    "Remove the wheel, lever one side of the tyre off the rim, pull out the tube, find and patch the hole or fit a new tube, put it back, reseat the tyre and inflate it.",
  ],
  [
    "Why is exercise good for mental health?",
    "Exercise releases chemicals that lift mood, reduces stress hormones, improves sleep and can give a sense of achievement.",
  ],
  [
    "What is democracy?",
    "Democracy is a system of government in which citizens hold power, usually by voting for representatives in free and fair elections.",
  ],
  [
    "How do I write a good cover letter?",
    "Address it to a person if you can, explain why you want this particular role, give two or three concrete examples of relevant achievements, and keep it to one page.",
  ],
  ["What is the largest ocean?", "The Pacific Ocean is the largest and deepest ocean on Earth."],
  [
    "How do I keep my phone battery healthy?",
    "Avoid extreme heat, try not to run it down to zero often, and keep it roughly between 20 and 80 percent when you can.",
  ],
  [
    "What is empathy?",
    "Empathy is the ability to understand and share the feelings of another person, seeing a situation from their point of view.",
  ],
  [
    "Recommend a simple board game for a family night.",
    '"Ticket to Ride" is easy to learn, works for ages eight and up, and games take under an hour.',
  ],
  [
    "How do I make my resume stand out?",
    "Tailor it to each job, lead with results in numbers where possible, keep the layout clean, and cut anything that does not support the role you want.",
  ],
  [
    "What does DNA stand for?",
    "DNA stands for deoxyribonucleic acid, the molecule that carries genetic instructions in living things.",
  ],
  [
    "How do I handle a disagreement with a roommate?",
    "Pick a calm moment, describe the specific issue and how it affects you, listen to their side, and agree on a concrete change you can both try.",
  ],
  [
    "What is the difference between a simile and a metaphor?",
    'A simile compares using "like" or "as" (brave as a lion); a metaphor says one thing is another (he is a lion in battle).',
  ],
  [
    "How do bees make honey?",
    "Bees collect nectar, store it in their honey stomach where enzymes start to change it, then pass it to other bees and fan it in the comb until enough water evaporates to make honey.",
  ],
  [
    "Give me a simple way to start meditating.",
    "Sit comfortably, set a timer for five minutes, and follow your breath. When your mind wanders, notice it kindly and bring attention back to the breath.",
  ],
  [
    "How do I check if an egg is still fresh?",
    "Place it in a bowl of water: a fresh egg sinks and lies flat, an older one stands on end, and one that floats is best thrown away.",
  ],
  [
    "What is renewable energy?",
    "Renewable energy comes from sources that are naturally replenished, like sunlight, wind, flowing water and geothermal heat.",
  ],
  [
    "How should I prepare for a job interview?",
    "Research the company, practise answers to common questions with real examples, prepare a few questions of your own, and plan your route or video setup in advance.",
  ],
  [
    "What's a good gift for someone who loves cooking?",
    "A good chef's knife, a quality spice set, or a cookbook from a cuisine they have not tried yet are all well received.",
  ],
  [
    "Why do we have leap years?",
    "A year is about 365.25 days long, so adding a day every four years keeps the calendar in step with Earth's orbit.",
  ],
  [
    "How do I improve my handwriting?",
    "Slow down, hold the pen loosely, practise basic letter shapes daily for a few minutes, and keep letters a consistent size and slant.",
  ],
  [
    "What's the role of the heart?",
    "The heart pumps blood around the body, carrying oxygen and nutrients to the tissues and taking waste products away.",
  ],
  [
    "How do I make a to-do list that actually works?",
    "Keep it short, write tasks as concrete actions, pick the three most important ones for today, and move the rest to a separate list.",
  ],
  [
    "What is a black hole?",
    "A black hole is a region of space where gravity is so strong that nothing, not even light, can escape once it crosses the boundary called the event horizon.",
  ],
  [
    "How can I be kinder to myself?",
    "Talk to yourself the way you would to a good friend, notice small wins, rest without guilt, and remember that mistakes are part of learning.",
  ],
  [
    "What is the main idea of recycling?",
    "Recycling turns used materials into new products, saving raw resources and energy and reducing the rubbish sent to landfill.",
  ],
  [
    "Suggest a weekend project to learn something new.",
    "Try building a simple birdhouse, learning three songs on a ukulele, or making a small website about a hobby.",
  ],
  [
    "How do I treat a minor burn?",
    "Cool it under cool running water for about twenty minutes, cover it loosely with a clean non-fluffy dressing, and seek medical help if it is large, deep or on the face.",
  ],
  [
    "What's the difference between 'its' and 'it's'?",
    '"It\'s" is short for "it is" or "it has"; "its" shows possession: it\'s raining, and the dog wagged its tail.',
  ],
  [
    "How does a compass work?",
    "A compass needle is a small magnet that lines up with Earth's magnetic field, so one end points towards magnetic north.",
  ],
  [
    "What is a healthy way to deal with disappointment?",
    "Let yourself feel it, talk to someone you trust, look at what you can learn, and set a small next step so you regain a sense of control.",
  ],
  ["Name three instruments in a string quartet.", "A string quartet has two violins, a viola and a cello."],
  [
    "How do I teach a dog to sit?",
    'Hold a treat above its nose and move it slowly back over its head; as its bottom lowers, say "sit" and reward it straight away. Practise in short sessions.',
  ],
  [
    "What is supply and demand?",
    "Supply and demand describe how prices form: when many people want something and little is available, the price tends to rise, and when there is plenty and few buyers, it tends to fall.",
  ],
  [
    "How can I make new friends as an adult?",
    "Join a regular activity you enjoy, such as a class, club or volunteering, and keep showing up. Friendships grow from repeated, relaxed contact.",
  ],
  [
    "What's an easy vegetarian dinner?",
    "A chickpea and spinach curry: fry onion, garlic and spices, add a tin of chickpeas and a tin of tomatoes, simmer, then stir in spinach and serve with rice.",
  ],
  [
    "Why is reading to children important?",
    "It builds vocabulary and listening skills, sparks imagination, and gives a calm, close moment together that makes reading feel enjoyable.",
  ],
  [
    "How do solar panels generate electricity?",
    "Solar cells are made of materials like silicon that release electrons when light hits them; that flow of electrons is an electric current.",
  ],
  [
    "What should I do if I get lost while hiking?",
    "Stop, stay calm, and try to retrace your steps to a known point. If that fails, stay put, keep warm, and call or signal for help.",
  ],
  [
    "What is the purpose of a thesis statement?",
    "A thesis statement tells the reader the main argument of an essay in one or two sentences, so the rest of the essay has a clear point to support.",
  ],
  [
    "How do I keep a journal consistently?",
    'Tie it to an existing habit, like your morning coffee, keep entries short, and use a simple prompt such as "one thing I noticed today".',
  ],
  [
    "What is the moon made of?",
    "The Moon is mostly rock: a crust of silicate minerals, a rocky mantle, and a small iron-rich core.",
  ],
  [
    "How can I be more productive working from home?",
    "Set regular hours, use a dedicated workspace, plan the day's top priorities each morning, and take short breaks away from the screen.",
  ],
  [
    "Can you tell me today's weather in Paris?",
    "I'm sorry, but I don't have access to live weather data. A weather website or app will give you the current forecast for Paris.",
  ],
  [
    "Can you call my dentist to book an appointment?",
    "I'm unable to make phone calls, but I can help you write a short message or a list of times that suit you before you call.",
  ],
  [
    "Please look at the photo I took of my garden.",
    "I cannot see images in this conversation, but if you describe the plants and the problem, I'll gladly suggest what might help.",
  ],
  [
    "What is the current price of gold?",
    "Sorry, I can't look up live market prices. Financial news sites or a bank's website list the current gold price.",
  ],
  [
    "Remember my shopping list for next week.",
    "I can't keep information between conversations, so it is best to save the list in a notes app. I can help you organise it now, though.",
  ],
  [
    "Order me a pizza, please.",
    "I am unable to place orders, but I can suggest a few pizza toppings or help you find the menu of a place nearby.",
  ],
  [
    "Can you send this text to my sister?",
    "I apologize, but I can't send messages for you. I can help you word it, and you can paste it into your messaging app.",
  ],
  [
    "Open the attachment I sent earlier.",
    "Sorry, no attachment reached me here. If you paste the text into the chat, I'll go through it with you.",
  ],
  [
    "What is a good way to learn touch typing?",
    "Use a free typing tutor for fifteen minutes a day, keep your fingers on the home row, and focus on accuracy before speed.",
  ],
  [
    "How do I explain a gap in my employment history?",
    "Be brief and honest, mention anything useful you did during that time, such as caring, study or volunteering, and steer back to why you are ready for this role.",
  ],
  [
    "What is the difference between a lake and a pond?",
    "There is no strict rule, but lakes are usually larger and deeper, often deep enough that sunlight does not reach the bottom everywhere.",
  ],
  [
    "How do airplanes stay in the air?",
    "The wings are shaped and angled so that moving air is pushed downwards, which produces an upward force called lift that balances the plane's weight.",
  ],
  [
    "Give me a polite way to ask for feedback.",
    '"I\'d really value your thoughts on how this went. What is one thing I did well and one thing I could do better next time?"',
  ],
  [
    "What is a carbon footprint?",
    "A carbon footprint is the total greenhouse gas emissions caused by a person, product or activity, usually expressed as tonnes of carbon dioxide equivalent.",
  ],
  [
    "How do I organise a small closet?",
    "Take everything out, keep only what you use, group similar items, use the door and upper shelves for storage, and put daily items at eye level.",
  ],
  [
    "What's the origin of the Olympic Games?",
    "The Olympic Games began in ancient Greece at Olympia around 776 BCE; the modern Games were revived in 1896 in Athens.",
  ],
  [
    "How do I know if I'm drinking enough water?",
    "If you rarely feel thirsty and your urine is pale yellow, you are probably drinking enough.",
  ],
  [
    "Suggest a good habit to start this month.",
    "Take a ten-minute walk after lunch every day. It is small enough to stick, and it helps your mood, digestion and sleep.",
  ],
];

export const BUILTIN_GENERAL_POOL: readonly PoolItem[] = PAIRS.map(([question, answer], i) => ({
  id: `builtin:${i}`,
  messages: [
    { role: "user", content: question },
    { role: "assistant", content: answer },
  ],
}));
