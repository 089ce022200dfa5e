/**
 * Model families known to take images, by the id a provider gives them (OpenAI GPT-4o/4.1/5 and o-series
 * reasoning models, Anthropic Claude 3+, Google Gemini and Gemma 3, Mistral Pixtral, Qwen-VL, GLM-4V,
 * LLaVA, Llama 3.2 Vision, MiniCPM-V, InternVL). A model's `vision` in config always wins.
 */
const VISION_IDS =
  /(^|[/:_-])(gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-5|o[134](-mini|-pro)?$|chatgpt-4o|claude-(3|sonnet-4|opus-4|haiku-4)|gemini|gemma-?3|pixtral|llava|minicpm-v|internvl|glm-4(\.\d+)?v)|qwen[\d.]*-?vl|vision/i;

export function isKnownVisionModel(id: string): boolean {
  return VISION_IDS.test(id);
}
