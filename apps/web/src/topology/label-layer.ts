'use client';

import { createContext, useContext } from 'react';

/**
 * React Flow's label layer, found once per canvas: its EdgeLabelRenderer looks it up with a querySelector in a store
 * selector, which every mounted label ran again on every pan and zoom frame (the largest cost of zooming in).
 */
export const LabelLayerContext = createContext<HTMLElement | null>(null);

export function useLabelLayer(): HTMLElement | null {
  return useContext(LabelLayerContext);
}

/** Labels show from this zoom up and hide again below LABEL_HIDE_ZOOM: the gap keeps them from flickering at the edge. */
export const LABEL_SHOW_ZOOM = 0.45;
export const LABEL_HIDE_ZOOM = 0.4;

/** Whether labels show at `zoom`, given whether they showed before (hysteresis). */
export function labelsShown(zoom: number, before: boolean): boolean {
  return before ? zoom >= LABEL_HIDE_ZOOM : zoom >= LABEL_SHOW_ZOOM;
}
