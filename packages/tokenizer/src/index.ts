// Public API of @llmts/tokenizer.
export {};
