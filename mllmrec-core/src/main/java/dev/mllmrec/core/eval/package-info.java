/** Evaluation: HR@K, NDCG@K and MRR over candidate rankings, one evaluator for every {@code Recommender}. */
package dev.mllmrec.core.eval;
