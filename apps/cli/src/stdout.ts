// Streaming to stdout from a synchronous loop (generation writes each piece of text as it is
// decoded). When the reader goes away (`llmts generate ... | head -c 20`), Node reports EPIPE as
// an 'error' event, and events wait for the loop to end: 100,000 tokens were generated into a
// closed pipe (529 s). But a write to a pipe is attempted at once, and its failure is recorded on
// the stream (`errored`) before the write returns, so the loop can look after each write and stop.
// Not here: what happens once the event arrives (main.ts ends the command quietly, as `cat` ends).

/** Thrown by writeStdout once stdout's reader has gone: the caller stops producing output. */
export class OutputClosed extends Error {
  override name = "OutputClosed";
}

/** process.stdout.write(text), throwing OutputClosed if the reader has closed the pipe. */
export function writeStdout(text: string): void {
  process.stdout.write(text);
  if (process.stdout.errored) throw new OutputClosed("stdout was closed by its reader");
}
