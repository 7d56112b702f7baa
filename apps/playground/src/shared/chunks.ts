// A knowledge base split into chunks for retrieval: paragraphs (blank-line separated), each cut
// into pieces of at most `maxChars` characters at a sentence or word boundary, so that a few
// chunks fit in a small model's context window next to the question.
//
//   "Ahab is the captain.\n\nThe Pequod sails from Nantucket." -> ["Ahab is the captain.",
//                                                               "The Pequod sails from Nantucket."]
// Not here: scoring chunks (bm25.ts), building the prompt (knowledge.ts).

/** Non-empty, trimmed chunks of `text`, in order, each at most `maxChars` long. */
export function splitChunks(text: string, maxChars: number): string[] {
  const chunks: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    let rest = paragraph.replace(/\s+/g, " ").trim();
    while (rest.length > maxChars) {
      // The last sentence end (". ", "! ", "? ") in the window, else the last space, else a hard cut.
      const window = rest.slice(0, maxChars + 1);
      const sentence = Math.max(window.lastIndexOf(". "), window.lastIndexOf("! "), window.lastIndexOf("? "));
      const space = window.lastIndexOf(" ");
      const cut = sentence > 0 ? sentence + 1 : space > 0 ? space : maxChars;
      chunks.push(rest.slice(0, cut).trim());
      rest = rest.slice(cut).trim();
    }
    if (rest !== "") chunks.push(rest);
  }
  return chunks;
}
