// Error classes of @llmts/tensor.
// ShapeError is a "user error" for the CLI (its name is listed in USER_ERROR_NAMES): the message
// must say which op failed and show the shapes involved, e.g.
//   matmul: inner dimensions differ: [2, 3] @ [4, 5]

export class ShapeError extends Error {
  override name = "ShapeError";
}

/** `[2, 3]` — how shapes appear in every error message. */
export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
