// Public API of @llmts/safetensors.
export {};
