/**
 * The built-in text the tiny tokenizer learns its merges from: short chat-style sentences so that
 * role names, common English words and spaces merge into tokens.
 */
export const TINY_CORPUS = [
  "system user assistant system user assistant",
  "You are a helpful assistant. Answer the question of the user in a short and honest way.",
  "How do I store user passwords safely? Hash them with a slow salted function such as bcrypt or argon2.",
  "What should I do when I feel bored? Go for a walk, call a friend, or read a good book.",
  "Write a function that adds two numbers. def add(a, b):\n    return a + b",
  "The model is trained on the data and then evaluated on the test set. The training loss goes down.",
  "Please explain what the code does and why it is written this way. I think that it is correct.",
  "The assistant should not help with anything that is harmful, and it should be kind to the user.",
  "Thank you for the answer! It was helpful. Can you tell me more about the topic and the details?",
  "In the morning the weather was nice, so we went to the park and then to the station.",
].join("\n");
