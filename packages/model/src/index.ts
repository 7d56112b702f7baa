// Public API of @llmts/model.
export {};
