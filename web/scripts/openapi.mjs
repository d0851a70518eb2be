// Renews src/api/openapi.json from the server itself: starts trib serve (the Release build, or TRIB=path/to/trib.dll)
// on a throwaway project, reads /openapi/v1.json and stops it. Run through `npm run openapi` after changing the API;
// a .NET test (ServeTests.OpenApi_Served_EqualsTheWebClientsCopy) fails until the copy is renewed.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const trib = process.env.TRIB ?? resolve(web, "../src/Tributary.Cli/bin/Release/net10.0/trib.dll");
if (!existsSync(trib)) {
  console.error(`${trib} is missing; build it first: dotnet build src/Tributary.Cli -c Release`);
  process.exit(1);
}

function listening(server) {
  return new Promise((resolveAddress, reject) => {
    const timer = setTimeout(() => reject(new Error("trib serve did not listen within 60 s")), 60_000);
    createInterface({ input: server.stderr }).on("line", (line) => {
      const match = /at (http:\/\/[^ ]+\/)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolveAddress(match[1]);
      }
    });
    server.on("exit", (code) => reject(new Error(`trib serve exited with ${code} before listening`)));
  });
}

const project = mkdtempSync(join(tmpdir(), "trib-openapi-"));
try {
  execFileSync("dotnet", [trib, "init", project], { stdio: "ignore" });
  const server = spawn("dotnet", [trib, "serve", "--port", "0", "--project", project], { stdio: ["ignore", "ignore", "pipe"] });
  try {
    const address = await listening(server);
    const response = await fetch(new URL("openapi/v1.json", address));
    if (!response.ok) throw new Error(`GET /openapi/v1.json answered ${response.status}: ${await response.text()}`);
    const file = join(web, "src", "api", "openapi.json");
    writeFileSync(file, JSON.stringify(await response.json(), null, 2) + "\n");
    console.log(`wrote ${file}`);
  } finally {
    server.kill();
  }
} finally {
  rmSync(project, { recursive: true, force: true });
}
