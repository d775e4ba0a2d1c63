/**
 * SASRec, the self-attentive sequential recommender (Kang and McAuley, 2018), on DJL: the classic baseline the
 * reasoning policy is compared with, with its model, trainer, recommender and a self-contained hold-out protocol.
 */
package dev.mllmrec.core.sasrec;
