/** `cosell solution build`: pack the Dataverse solution zips (the same packer as `npm run build:solution`). */
import type { Command } from "commander";
import { packSolution } from "../../../solution/pack";
import { CliError, ExitCode, type CommandContext } from "../cli-io";

export function registerSolutionCommand(program: Command, context: CommandContext): void {
  const solution = program.command("solution").description("the Dataverse solution");
  solution
    .command("build")
    .description("pack dist/PartnerCenterCoSell_<version>.zip (unmanaged), _managed.zip and the unpacked pac folder")
    .action(async () => {
      const { io } = context;
      try {
        const result = await packSolution({ onProgress: (message) => io.err(`solution: ${message}`) });
        io.out(`✔ Solution ${result.version} packed:`);
        io.out(`    unmanaged: ${result.unmanagedZip}`);
        io.out(`    managed:   ${result.managedZip}`);
        io.out(`    unpacked:  ${result.unpackedDir}`);
        context.exitCode = ExitCode.ok;
      } catch (error) {
        // The packer's messages name the missing part (e.g. the PCF build): add the usual remedy.
        throw new CliError(`Packing the solution failed: ${error instanceof Error ? error.message : String(error)}\nBuild the parts first with \`npm run build\`.`, ExitCode.failed, { cause: error });
      }
    });
}
