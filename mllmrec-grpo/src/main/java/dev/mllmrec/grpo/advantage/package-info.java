/**
 * Group-relative advantages for GRPO: the named estimators (GRPO, batch-scaled GRPO, Dr. GRPO) as a plain-Java
 * reference and as DJL array code.
 */
package dev.mllmrec.grpo.advantage;
