// Public API of @llmts/tensor.
export {};
