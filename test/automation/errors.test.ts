import { describe, expect, it } from "vitest";
import { messageOf, redactCredentials } from "../../automation/errors";

describe("redactCredentials", () => {
  it("masks the password of every URL in a text and keeps the rest", () => {
    const text = "failed to connect to postgres://rollgate:s3cr3t@127.0.0.1:15432/rollgate?sslmode=disable; also https://bot:tok@ghe.example/api";

    expect(redactCredentials(text)).toBe(
      "failed to connect to postgres://rollgate:****@127.0.0.1:15432/rollgate?sslmode=disable; also https://bot:****@ghe.example/api",
    );
  });

  it("leaves URLs without a password alone", () => {
    expect(redactCredentials("see http://127.0.0.1:9090/api and postgres://db/rollgate")).toBe("see http://127.0.0.1:9090/api and postgres://db/rollgate");
  });
});

describe("messageOf", () => {
  it("gives an error's message without the passwords it quotes", () => {
    expect(messageOf(new Error("pulumi login postgres://u:p4ss@db/x failed"))).toBe("pulumi login postgres://u:****@db/x failed");
  });
});
