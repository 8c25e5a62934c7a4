import { describe, expect, it } from "vitest";
import type { TriggerRule } from "../spec/types.js";
import type { TaskState } from "../store/types.js";
import { decideTrigger, type TriggerDecision } from "./trigger-rules.js";

// [rule, upstream states, decision] — Airflow's trigger rule semantics.
const TABLE: [TriggerRule, TaskState[], TriggerDecision][] = [
  ["all_success", [], "run"],
  ["all_success", ["succeeded", "succeeded"], "run"],
  ["all_success", ["succeeded", "running"], "wait"],
  ["all_success", ["failed", "running"], "upstream_failed"],
  ["all_success", ["upstream_failed", "succeeded"], "upstream_failed"],
  ["all_success", ["skipped", "succeeded"], "skip"],
  ["all_success", ["retrying", "succeeded"], "wait"],
  ["all_failed", ["failed", "upstream_failed"], "run"],
  ["all_failed", ["failed", "running"], "wait"],
  ["all_failed", ["failed", "succeeded"], "skip"],
  ["all_failed", ["skipped", "failed"], "skip"],
  ["all_done", ["failed", "succeeded", "skipped"], "run"],
  ["all_done", ["failed", "queued"], "wait"],
  ["one_success", ["succeeded", "running"], "run"],
  ["one_success", ["failed", "running"], "wait"],
  ["one_success", ["failed", "failed"], "upstream_failed"],
  ["one_success", ["skipped", "skipped"], "skip"],
  ["one_failed", ["failed", "running"], "run"],
  ["one_failed", ["succeeded", "running"], "wait"],
  ["one_failed", ["succeeded", "skipped"], "skip"],
  ["none_failed", ["succeeded", "skipped"], "run"],
  ["none_failed", ["skipped", "skipped"], "run"],
  ["none_failed", ["succeeded", "running"], "wait"],
  ["none_failed", ["failed", "running"], "upstream_failed"],
  ["none_failed", ["cancelled", "succeeded"], "upstream_failed"],
];

describe("decideTrigger", () => {
  it.each(TABLE)("%s with %j -> %s", (rule, upstream, expected) => {
    expect(decideTrigger(rule, upstream)).toBe(expected);
  });
});
