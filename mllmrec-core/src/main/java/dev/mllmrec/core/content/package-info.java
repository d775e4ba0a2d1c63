/**
 * Item content for the policy: the text each item carries (title, attributes, caption) under a chosen
 * {@link dev.mllmrec.core.content.ItemContentSource}, and its frozen sentence-embedding vectors, cached per text.
 */
package dev.mllmrec.core.content;
