/// <reference types="powerapps-component-framework" />
/**
 * The control's inputs and outputs, typed from BOUND_PROPERTIES instead of the build's generated
 * ManifestTypes.d.ts: the generated file only exists after a pcf build, and the root type-check
 * and the tests must work from a clean clone.
 */
import type { BOUND_PROPERTIES, ManifestPropertyName, OfType } from "./ManifestConstants";

type PropertyFor<T extends OfType> = T extends "TwoOptions"
  ? ComponentFramework.PropertyTypes.TwoOptionsProperty
  : T extends "OptionSet"
    ? ComponentFramework.PropertyTypes.OptionSetProperty
    : T extends "DateAndTime.DateAndTime"
      ? ComponentFramework.PropertyTypes.DateTimeProperty
      : ComponentFramework.PropertyTypes.StringProperty;

export type CoSellInputs = { [K in ManifestPropertyName]: PropertyFor<(typeof BOUND_PROPERTIES)[K]> };

/**
 * What the control writes back. Only the keys present are written; a key present with undefined
 * clears the column (how PCF clears a bound value).
 */
export interface CoSellOutputs {
  syncWithPartnerCenter?: boolean;
  howCanMicrosoftHelp?: number;
  shareWithMicrosoftSellers?: boolean;
  products?: string;
  referralStatus?: number;
  statusReason?: string;
}
