/** `npm run build:solution`: pack the solution and say where the zips are, or exactly what is wrong. */
import { packSolution } from "./pack";

try {
  const result = await packSolution({ onProgress: (message) => console.log(`solution: ${message}`) });
  console.log(`solution: done (version ${result.version})`);
  console.log(`  unmanaged: ${result.unmanagedZip}`);
  console.log(`  managed:   ${result.managedZip}`);
  console.log(`  unpacked:  ${result.unpackedDir}`);
} catch (error) {
  console.error(`solution: packing failed.\n${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
