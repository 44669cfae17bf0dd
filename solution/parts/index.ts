/**
 * The parts that plug into the solution, in the order they are added. Each issue's part adds one
 * line here. A factory that finds its build output missing throws with the command to run.
 */
import type { SolutionPartFactory } from "../solution-part";
import { cosellRibbonPart } from "./cosell-ribbon.part";
import { cosellWebResourcePart } from "./cosell-webresource.part";
import { pcfControlPart } from "./pcf-control.part";
import { cosellFormPart } from "./cosell-form.part";
import { healthPagePart } from "./health-page.part";

export const SOLUTION_PARTS: readonly SolutionPartFactory[] = [
  cosellWebResourcePart,
  cosellRibbonPart,
  pcfControlPart,
  cosellFormPart,
  healthPagePart,
];
