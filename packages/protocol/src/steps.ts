import { z } from 'zod';

/** One thing that happened during a run, in order. `index` is global and increasing per run. */
const stepBase = {
  id: z.string(),
  index: z.number().int().nonnegative(),
  /** Set on steps produced by a sub-agent: the id of the parent's tool_call step. */
  parent_id: z.string().optional(),
  /** Which sub-agent of that call produced the step (its name). */
  agent: z.string().optional(),
};

export const thinkingStepSchema = z.object({ ...stepBase, type: z.literal('thinking'), content: z.string() });
export const textStepSchema = z.object({ ...stepBase, type: z.literal('text'), content: z.string() });
export const toolCallStepSchema = z.object({
  ...stepBase,
  type: z.literal('tool_call'),
  id_ref: z.string(),
  name: z.string(),
  arguments: z.string(),
});
export const toolResultStepSchema = z.object({
  ...stepBase,
  type: z.literal('tool_result'),
  id_ref: z.string(),
  name: z.string(),
  content: z.string(),
  skipped: z.boolean(),
  success: z.boolean().optional(),
  execution_time: z.number().optional(),
});

export const stepSchema = z.discriminatedUnion('type', [
  thinkingStepSchema,
  textStepSchema,
  toolCallStepSchema,
  toolResultStepSchema,
]);

export type ThinkingStep = z.infer<typeof thinkingStepSchema>;
export type TextStep = z.infer<typeof textStepSchema>;
export type ToolCallStep = z.infer<typeof toolCallStepSchema>;
export type ToolResultStep = z.infer<typeof toolResultStepSchema>;
export type Step = z.infer<typeof stepSchema>;

/** The legacy flat tool-call record of the original service. */
export const legacyToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
  result: z.string().optional(),
  success: z.boolean().optional(),
  skipped: z.boolean().optional(),
  execution_time: z.number().optional(),
});
export type LegacyToolCall = z.infer<typeof legacyToolCallSchema>;
