/** Small helpers of the demo and the end-to-end tests: a chat dataset, a thin API client and a progress bar. */

const SUBJECTS = [
  ["a lighthouse", "guides ships with a bright light at night"],
  ["a bee", "collects nectar and pollinates flowers"],
  ["a compass", "points north using the earth's magnetic field"],
  ["a volcano", "releases molten rock from deep underground"],
  ["a library", "lends books to anyone with a card"],
  ["a bridge", "lets people cross rivers and valleys"],
  ["a cactus", "stores water in its thick stem"],
  ["a glacier", "is a slow river of ice"],
  ["a violin", "makes music with four strings and a bow"],
  ["a satellite", "circles the earth and relays signals"],
  ["a tide", "rises and falls with the pull of the moon"],
  ["a seed", "grows into a plant with water and light"],
] as const;

/** A small chat dataset (OpenAI fine-tuning format), deterministic, one JSON object per line. */
export function demoDatasetJsonl(n = 48): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const [thing, fact] = SUBJECTS[i % SUBJECTS.length];
    const style = i % 3 === 0 ? "briefly" : i % 3 === 1 ? "to a child" : "in one sentence";
    lines.push(
      JSON.stringify({
        messages: [
          { role: "system", content: "You are a concise, friendly assistant." },
          { role: "user", content: `Explain ${thing} ${style}.` },
          { role: "assistant", content: `Sure: ${thing} ${fact}.` },
        ],
      }),
    );
  }
  return `${lines.join("\n")}\n`;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly key: string,
  ) {}

  /**
   * One API call; a GET that fails on the network (a keep-alive socket the server closed while this process
   * was busy training, as the embedded stack's runner shares the event loop) is sent again, up to 3 times.
   */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.key}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (err) {
        if (method === "GET" && attempt < 3) {
          await new Promise((r) => setTimeout(r, 250 * attempt));
          continue;
        }
        const cause = (err as { cause?: { message?: string } }).cause?.message;
        throw new Error(`${method} ${path} failed on the network${cause ? `: ${cause}` : ""}`, { cause: err });
      }
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
      return (text ? JSON.parse(text) : {}) as T;
    }
  }
}

/** `[#####.....] 12/40` on one line (a TTY) or a plain line every few steps (a log). */
export function progressLine(step: number, total: number, label: string, width = 30): string {
  const filled = total > 0 ? Math.round((step / total) * width) : 0;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(step).padStart(String(total).length)}/${total} ${label}`;
}
