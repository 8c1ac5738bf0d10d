package org.jixiao;

/**
 * One submission's result in a batch, in input order: its scorecard, or the error that kept
 * it from being scored (a text that is no submission). One bad submission never stops a batch.
 */
public record BatchItem(int index, Scorecard scorecard, JixiaoException error) {
    public boolean ok() {
        return scorecard != null;
    }
}
