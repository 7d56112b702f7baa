// Public API of @llmts/sample.
export {};
