/**
 * The controllers `skiff server` runs: builtinControllers() under the
 * kube-controller-manager Lease, schedulerControllers() under the
 * kube-scheduler Lease. A new controller is one line here.
 */
import type { Controller } from './framework/controller.js';

export function builtinControllers(): Controller[] {
  return [];
}

export function schedulerControllers(): Controller[] {
  return [];
}
