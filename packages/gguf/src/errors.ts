// The one error type of this package. Every malformed input (a file that is not GGUF, a count
// or length that cannot fit in the bytes that exist, a tensor past the end, a tensor type we do
// not decode) and every bad argument to the writer becomes a GgufError whose one-line message
// names the file and the key / tensor / field at fault; nothing else is thrown for bad input.
// The CLI can recognise the class by its `name` and print the message as one line.

export class GgufError extends Error {
  override name = "GgufError";
}

/** `gguf: <what> (<file>)` — the file suffix is left out when we do not know the file. */
export function fail(message: string, fileName?: string): never {
  throw new GgufError(`gguf: ${message}${fileName ? ` (${fileName})` : ""}`);
}
