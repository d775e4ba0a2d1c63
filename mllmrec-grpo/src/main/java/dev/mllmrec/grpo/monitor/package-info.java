/**
 * Reward-inflation monitoring: a GRPO listener that flags training reward rising while validation quality does not,
 * and the PNG chart of training reward against validation HR.
 */
package dev.mllmrec.grpo.monitor;
