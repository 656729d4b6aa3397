import { describe, expect, it } from "vitest";
import {
  refusedRange,
  resolveOutboundTarget,
  systemLookupAll,
  outboundUrlProblem,
  type LookupAll,
} from "./outbound-guard.ts";

const strict = { allowHttp: false, allowlist: [] as string[], allowlistVariable: "GUARDTUNE_TEST_ALLOWLIST" };
const lookupTo =
  (...addresses: string[]): LookupAll =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("refusedRange", () => {
  it.each([
    ["0.0.0.0", "0.0.0.0/8"],
    ["10.1.2.3", "10.0.0.0/8"],
    ["100.64.0.1", "100.64.0.0/10"],
    ["100.127.255.254", "100.64.0.0/10"],
    ["127.0.0.1", "127.0.0.0/8"],
    ["127.255.0.9", "127.0.0.0/8"],
    ["169.254.169.254", "169.254.0.0/16"],
    ["172.16.0.1", "172.16.0.0/12"],
    ["172.31.255.255", "172.16.0.0/12"],
    ["192.168.1.1", "192.168.0.0/16"],
    ["224.0.0.251", "224.0.0.0/4"],
    ["255.255.255.255", "240.0.0.0/4"],
    ["::", "::"],
    ["::1", "::1"],
    ["::ffff:127.0.0.1", "::ffff:0:0/96"],
    ["::ffff:8.8.8.8", "::ffff:0:0/96"],
    ["64:ff9b::a00:1", "64:ff9b::/96"],
    ["fc00::1", "fc00::/7"],
    ["fd00:ec2::254", "fc00::/7"],
    ["fe80::1", "fe80::/10"],
    ["ff02::1", "ff00::/8"],
  ])("refuses %s (%s)", (address, range) => {
    expect(refusedRange(address)).toContain(range);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "172.32.0.1",
    "100.128.0.1",
    "192.169.0.1",
    "11.0.0.1",
    "2606:4700:4700::1111",
    "2a00:1450::1",
  ])("lets public %s through", (address) => {
    expect(refusedRange(address)).toBeNull();
  });
});

describe("outboundUrlProblem (at endpoint creation)", () => {
  it.each([
    ["not a url", "not a valid absolute URL"],
    ["http://example.com/hook", "must use https"],
    ["ftp://example.com/hook", "must use https"],
    ["https://user:pw@example.com/", "credentials"],
    ["https://127.0.0.1/", "loopback"],
    ["https://2130706433/", "loopback"], // decimal form of 127.0.0.1, normalised by the URL parser
    ["https://0x7f.1/", "loopback"],
    ["https://169.254.169.254/latest/meta-data", "link-local"],
    ["https://[::1]/", "loopback"],
    ["https://[::ffff:10.0.0.1]/", "IPv4-mapped"],
    ["https://0.0.0.0/", "this network"],
    ["https://localhost/", "localhost"],
    ["https://api.localhost/", "api.localhost"],
  ])("refuses %s", (url, problem) => {
    expect(outboundUrlProblem(url, strict)).toContain(problem);
  });

  it("accepts public https URLs, and http only when allowed", () => {
    expect(outboundUrlProblem("https://hooks.example.com/guardtune?x=1", strict)).toBeNull();
    expect(outboundUrlProblem("http://hooks.example.com/", strict)).toContain("https");
    expect(outboundUrlProblem("http://hooks.example.com/", { ...strict, allowHttp: true })).toBeNull();
  });

  it("accepts allow-listed hosts, addresses and CIDRs", () => {
    expect(outboundUrlProblem("https://127.0.0.1:9000/", { ...strict, allowlist: ["127.0.0.1"] })).toBeNull();
    expect(outboundUrlProblem("https://10.2.3.4/", { ...strict, allowlist: ["10.0.0.0/8"] })).toBeNull();
    expect(outboundUrlProblem("https://10.2.3.4/", { ...strict, allowlist: ["10.2.0.0/24"] })).toContain("10.0.0.0/8");
    expect(outboundUrlProblem("https://localhost/", { ...strict, allowlist: ["localhost"] })).toBeNull();
    expect(outboundUrlProblem("https://[::1]/", { ...strict, allowlist: ["::1"] })).toBeNull();
  });
});

describe("resolveOutboundTarget (at delivery time)", () => {
  const url = (s: string) => new URL(s);

  it("refuses names that resolve to private addresses", async () => {
    for (const address of ["10.0.0.5", "127.0.0.1", "169.254.169.254", "100.64.1.1", "fd12::1", "::ffff:192.168.0.1"]) {
      await expect(resolveOutboundTarget(url("https://innocent.example/"), strict, lookupTo(address))).rejects.toThrow(
        `resolves to ${address}`,
      );
    }
  });

  it("refuses a name when any of its addresses is private", async () => {
    await expect(
      resolveOutboundTarget(url("https://mixed.example/"), strict, lookupTo("93.184.216.34", "10.0.0.1")),
    ).rejects.toThrow("10.0.0.1");
  });

  it("resolves real DNS: localhost is loopback and refused", async () => {
    await expect(resolveOutboundTarget(url("https://localhost/"), strict)).rejects.toThrow(/localhost/);
    await expect(resolveOutboundTarget(url("https://LocalHost./"), strict)).rejects.toThrow(/localhost/);
    // What the system resolver answers for it is refused address by address too.
    const answers = await systemLookupAll("localhost");
    expect(answers.length).toBeGreaterThan(0);
    for (const { address } of answers) expect(refusedRange(address)).toMatch(/loopback/);
    await expect(
      resolveOutboundTarget(url("https://anything.example/"), strict, () => systemLookupAll("localhost")),
    ).rejects.toThrow(/loopback/);
  });

  it("returns the checked address for public names and allow-listed ones", async () => {
    await expect(resolveOutboundTarget(url("https://ok.example/"), strict, lookupTo("93.184.216.34"))).resolves.toEqual(
      {
        address: "93.184.216.34",
        family: 4,
      },
    );
    const allowCidr = { ...strict, allowlist: ["10.9.0.0/16"] };
    await expect(
      resolveOutboundTarget(url("https://internal.example/"), allowCidr, lookupTo("10.9.1.2")),
    ).resolves.toMatchObject({
      address: "10.9.1.2",
    });
    const allowHost = { ...strict, allowlist: ["internal.example"] };
    await expect(
      resolveOutboundTarget(url("https://internal.example/"), allowHost, lookupTo("192.168.3.3")),
    ).resolves.toMatchObject({
      address: "192.168.3.3",
    });
  });

  it("reports DNS failures as refusals with the reason", async () => {
    const failing: LookupAll = async () => {
      throw new Error("getaddrinfo ENOTFOUND nowhere.invalid");
    };
    await expect(resolveOutboundTarget(url("https://nowhere.invalid/"), strict, failing)).rejects.toThrow("ENOTFOUND");
  });
});
