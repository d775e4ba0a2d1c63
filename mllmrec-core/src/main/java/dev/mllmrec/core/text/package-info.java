/** The one normalisation rule for text that enters a prompt from data: {@link dev.mllmrec.core.text.PromptText}. */
package dev.mllmrec.core.text;
