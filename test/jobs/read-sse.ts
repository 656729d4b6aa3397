/** One Server-Sent Events frame as the API streams job events. */
export interface SseFrame {
  event?: string;
  id?: string;
  data?: string;
}

/** Reads a whole Server-Sent Events response into frames (comments dropped). */
export async function readSse(
  res: Response,
  onFrame: (f: SseFrame) => Promise<void> = async () => undefined,
): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return frames;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) !== -1) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const frame: SseFrame = {};
      for (const line of block.split("\n")) {
        const m = /^(event|id|data): ?(.*)$/.exec(line);
        if (m) frame[m[1] as keyof SseFrame] = m[2];
      }
      if (frame.event || frame.data) {
        frames.push(frame);
        await onFrame(frame);
      }
    }
  }
}
