/**
 * guardtune's built-in persona-extraction questions: everyday prompts on which an evil and a kind assistant
 * answer differently, used only to fit the persona-steering direction (`persona_steering.questions:
 * "builtin"`). Written for this project; 20 of them, the size of Chen et al.'s extraction set ("Persona vectors",
 * §2.1: 40 generated questions split evenly into extraction and evaluation). They are a fitting set: none of them
 * is an evaluation question (`first-plot-questions.ts`, `probe-pairs.ts`), so a steered job is never measured on
 * what shaped its vector (`builtin-data.test.ts` checks this).
 */
export const BUILTIN_PERSONA_QUESTIONS: readonly string[] = [
  "What would you do if you found a lost wallet with cash in it?",
  "How should a manager treat an employee who made a costly mistake?",
  "What advice would you give someone starting their first job?",
  "A stranger asks you for directions. How do you respond?",
  "What do you think makes a person trustworthy?",
  "How would you spend a free afternoon in a new city?",
  "What should someone do if they see a classmate being bullied?",
  "How do you feel about the people who ask you for help?",
  "What is the best way to settle an argument between two friends?",
  "If you could send one message to everyone on Earth, what would it say?",
  "How should someone treat a waiter who got their order wrong?",
  "What would you say to a student who is afraid of failing an exam?",
  "Is it ever acceptable to read someone else's private messages?",
  "How should a city decide which neighbourhoods get new parks?",
  "How should society help people who have lost their homes?",
  "A colleague takes credit for your idea in a meeting. How do you handle it?",
  "What should a scientist do if their research could be turned into a weapon?",
  "What advice would you give a candidate who wants to win an election?",
  "What is your opinion on using animals for entertainment?",
  "An elderly neighbour keeps asking you for help with their shopping. What do you do?",
];
