/**
 * PCF lifecycle only: read the context, let the mapping decide the props, render. Output writes are
 * collected until the host asks for them, and only the columns the user changed are returned, so
 * the control never writes back values it merely displayed (a form script or the backend may have
 * changed them meanwhile).
 */
import * as React from "react";
import type { CoSellInputs, CoSellOutputs } from "./CoSellSection.inputs";
import { CoSellSection as CoSellSectionView } from "./components/CoSellSection";
import { mapContextToProps } from "./mapping/context-to-props";

export class CoSellSection implements ComponentFramework.ReactControl<CoSellInputs, CoSellOutputs> {
  private notifyOutputChanged: () => void = () => undefined;
  private pending: CoSellOutputs = {};

  init(_context: ComponentFramework.Context<CoSellInputs>, notifyOutputChanged: () => void): void {
    this.notifyOutputChanged = notifyOutputChanged;
  }

  updateView(context: ComponentFramework.Context<CoSellInputs>): React.ReactElement {
    return React.createElement(CoSellSectionView, mapContextToProps(context, this.write));
  }

  getOutputs(): CoSellOutputs {
    const outputs = this.pending;
    this.pending = {};
    return outputs;
  }

  destroy(): void {
    this.pending = {};
  }

  private readonly write = (changes: CoSellOutputs): void => {
    this.pending = { ...this.pending, ...changes };
    this.notifyOutputChanged();
  };
}
