package dev.sparselab.core.engine;

/**
 * The kernels on a matrix wide and tall enough to be processed in tiles of input features
 * ({@link SparseMatrix#TILE}) in both directions, with a partial last tile: the same checks as
 * {@link SparseMatrixTest}.
 */
class SparseMatrixTiledTest extends SparseMatrixTest {
    SparseMatrixTiledTest() {
        ROWS = SparseMatrix.TILE + 77;
        COLS = 2 * SparseMatrix.TILE + 13;
    }
}
