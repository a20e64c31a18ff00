// Validates Istio resources against the CRD schemas that @kubernetes-models/istio ships.
//   node check_istio.mjs ISTIO.json     (a JSON array of resources, from check_k8s.py istio)
// QUORUM_ISTIO_MODELS is the folder whose node_modules holds the package.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(process.env.QUORUM_ISTIO_MODELS ?? ".", "node_modules/@kubernetes-models/istio");
const docs = JSON.parse(readFileSync(process.argv[2], "utf8"));
let failed = 0;
for (const doc of docs) {
  const [group, version] = doc.apiVersion.split("/");
  const id = `${doc.kind}/${doc.metadata?.name}`;
  const file = join(root, group, version, `${doc.kind}.js`);
  let Model;
  try {
    if (!existsSync(file)) throw new Error("missing");
    Model = (await import(pathToFileURL(file).href))[doc.kind];
  } catch (e) {
    console.log(`  FAIL ${id}: no schema for ${doc.apiVersion} ${doc.kind}`);
    failed++;
    continue;
  }
  try {
    new Model(doc).validate();
  } catch (e) {
    console.log(`  FAIL ${id} (${doc.apiVersion}): ${e.message}`);
    failed++;
  }
}
if (failed) process.exit(1);
console.log(`  ok   ${docs.length} Istio resources match their CRD schemas`);
