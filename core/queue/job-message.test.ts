import { describe, expect, it } from "vitest";
import { InvalidJobMessageError, parseJobMessage, serializeJobMessage } from "./job-message.ts";

const id = "ftjob_01m8gxp3nt4va55zr9px3r2at3";

describe("job message", () => {
  it("round-trips { job_id, attempt } and nothing else", () => {
    const body = serializeJobMessage({ job_id: id, attempt: 2 });
    expect(JSON.parse(body)).toEqual({ job_id: id, attempt: 2 });
    expect(parseJobMessage(body)).toEqual({ job_id: id, attempt: 2 });
  });

  it.each([
    [undefined, "empty body"],
    ["not json", "not JSON"],
    [JSON.stringify({ job_id: id }), "attempt"],
    [JSON.stringify({ job_id: "file_x", attempt: 1 }), "job_id"],
    [JSON.stringify({ job_id: id, attempt: 0 }), "attempt"],
    [JSON.stringify({ job_id: id, attempt: 1, extra: true }), "extra"],
  ])("rejects %s as poison, saying why", (body, why) => {
    expect(() => parseJobMessage(body)).toThrow(InvalidJobMessageError);
    expect(() => parseJobMessage(body)).toThrow(why);
  });
});
