// The fixtures the browser test loads in a page: one per architecture path through the code
// (GPT-2 tied and F16, Llama with GQA, Mistral's sliding window with an explicit head_dim).
export const FIXTURES = ["gpt2-tied", "gpt2-f16", "llama-gqa-tied", "mistral-sliding"];
