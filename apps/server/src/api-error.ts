// Errors a request gets back: an HTTP status and OpenAI's error body, on every route.
//
//   400 {"error": {"message": "temperature must be a number >= 0, got \"hot\"",
//                  "type": "invalid_request_error", "param": "temperature", "code": null}}
//
// The Ollama routes answer with the same body (Ollama's own server sends {"error": "message"};
// its clients read `.error` either way).
// Not here: deciding which status (the code that finds the problem throws the ApiError).
// Reference: OpenAI API reference, "Error codes"; the `error` object the openai clients parse.

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "not_found_error"
  | "rate_limit_error"
  | "server_error";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly options: { type?: ErrorType; param?: string | null; code?: string | null } = {},
  ) {
    super(message);
  }

  /** The JSON body: {"error": {message, type, param, code}}. */
  body(): { error: { message: string; type: ErrorType; param: string | null; code: string | null } } {
    const type = this.options.type ?? (this.status >= 500 ? "server_error" : "invalid_request_error");
    return {
      error: {
        message: this.message,
        type,
        param: this.options.param ?? null,
        code: this.options.code ?? null,
      },
    };
  }
}

/** 400 for one field of the request body, naming it. */
export function badField(param: string, message: string, code: string | null = null): ApiError {
  return new ApiError(400, message, { param, code });
}
