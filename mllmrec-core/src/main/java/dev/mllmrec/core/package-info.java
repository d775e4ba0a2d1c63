/** Shared building blocks of the core module: engine set-up, JSON, atomic files and progress reporting. */
package dev.mllmrec.core;
