// Public API of @llmts/train.
export {};
