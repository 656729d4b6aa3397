/**
 * guardtune's built-in persona-extraction questions: everyday prompts on which an evil and a kind assistant
 * answer differently, used only to fit the persona-steering direction (`persona_steering.questions:
 * "builtin"`). Written for this project. They are a fitting set: none of them is an evaluation question
 * (`first-plot-questions.ts`, `probe-pairs.ts`), so a steered job is never measured on what shaped its vector
 * (`builtin-data.test.ts` checks this).
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
];
