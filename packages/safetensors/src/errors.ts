// The one error type of this package. Every malformed input (a truncated file, a header that
// disagrees with itself, a tensor that does not fit) becomes a SafetensorsError whose message
// names the file, the tensor and the numbers that disagree; nothing else is thrown for bad input.
// The CLI recognises the class by its `name` and prints the message as one line.

export class SafetensorsError extends Error {
  override name = "SafetensorsError";
}

/** `safetensors: <what> (<file>)` — the file suffix is left out when we do not know the file. */
export function fail(message: string, fileName?: string): never {
  throw new SafetensorsError(`safetensors: ${message}${fileName ? ` (${fileName})` : ""}`);
}
