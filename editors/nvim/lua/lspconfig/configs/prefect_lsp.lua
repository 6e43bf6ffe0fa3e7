-- nvim-lspconfig server definition, for setups that go through lspconfig:
--
--   require("lspconfig").prefect_lsp.setup({ settings = { ["prefect-lsp"] = { server = "cloud" } } })
--
-- Recent nvim-lspconfig finds this file by name (lua/lspconfig/configs/<name>.lua); with an old
-- one, register it first: require("lspconfig.configs").prefect_lsp = require("lspconfig.configs.prefect_lsp")
--
-- Attaches to YAML buffers named prefect.yaml / prefect.yml, plus files matching the globs in
-- vim.g.prefect_lsp_files (a list), since lspconfig's root_dir cannot see the settings table,
-- and to Python files that import prefect unless vim.g.prefect_lsp_python is false.
local prefect = require("prefect_lsp")

return {
  default_config = {
    cmd = vim.deepcopy(prefect.default_cmd),
    filetypes = vim.deepcopy(prefect.default_filetypes),
    root_dir = function(fname)
      if prefect.is_prefect_file(fname, vim.g.prefect_lsp_files) then
        return prefect.find_root(fname, prefect.default_root_markers)
      end
      if vim.g.prefect_lsp_python ~= false and fname:match("%.py$") and prefect.file_imports_prefect(fname) then
        return prefect.find_root(fname, prefect.default_root_markers)
      end
      return nil
    end,
    single_file_support = false,
    settings = prefect.normalize_settings({}),
  },
  docs = {
    description = [[
https://github.com/prefect-lsp/prefect-lsp

Language server for Prefect's `prefect.yaml`: diagnostics, hover, completion and quick fixes.
Install the `prefect-lsp` binary and put it on PATH. Settings live under the `prefect-lsp` key.
]],
  },
}
