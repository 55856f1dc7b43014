# Loaded by Julia (>= 1.9) when both NKSolve and SparseArrays are loaded.
module NKSolveSparseArraysExt

using NKSolve
using SparseArrays

"""
    CSR(A::SparseMatrixCSC)

Copies a Julia sparse matrix into a library-owned [`NKSolve.CSR`](@ref). Julia stores `A` by
columns (CSC); the CSC arrays of `transpose(A)` are exactly the 1-based CSR arrays of `A`, so
`A` is transposed once and those arrays are handed to the library with `index_base = 1`.
Explicitly stored zeros are kept.
"""
function NKSolve.CSR(A::SparseMatrixCSC{<:Real,<:Integer})
    m, n = size(A)
    At = SparseMatrixCSC{Float64,Int64}(copy(transpose(A)))   # n×m CSC == m×n CSR
    k = At.colptr[end] - 1               # rowval/nzval may hold spare capacity beyond the entries
    return NKSolve.CSR(m, n, At.colptr, view(At.rowval, 1:k), view(At.nzval, 1:k))
end

"""
    SparseArrays.nnz(A::NKSolve.CSR)

The number of stored entries of a library-owned CSR matrix (see `NKSolve.nnz`).
"""
SparseArrays.nnz(A::NKSolve.CSR) = NKSolve.nnz(A)

end # module
