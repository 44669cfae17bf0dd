/**
 * Drives the real control class (index.ts) the way the host does: init, updateView → render,
 * and getOutputs after notifyOutputChanged. Tests that render must mock Fluent first (see
 * fluent-for-node.ts).
 */
import { render, type RenderResult } from "@testing-library/react";
import { vi } from "vitest";
import type { CoSellInputs, CoSellOutputs } from "../../../pcf/CoSellSection/CoSellSection.inputs";
import { CoSellSection } from "../../../pcf/CoSellSection/index";
import { mockContext, type MockOptions } from "./mock-context";

export interface RenderedControl extends RenderResult {
  control: CoSellSection;
  notifyOutputChanged: ReturnType<typeof vi.fn>;
  /** What the host would read after the control called notifyOutputChanged. */
  outputs(): CoSellOutputs;
}

export function renderControl(options: MockOptions = {}): RenderedControl {
  const control = new CoSellSection();
  const notifyOutputChanged = vi.fn();
  // The mock implements the parts of the context the control reads; the rest is never touched.
  const context = mockContext(options) as unknown as ComponentFramework.Context<CoSellInputs>;
  control.init(context, notifyOutputChanged);
  const result = render(control.updateView(context));
  return { ...result, control, notifyOutputChanged, outputs: () => control.getOutputs() };
}
