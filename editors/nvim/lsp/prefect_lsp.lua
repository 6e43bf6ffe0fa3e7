-- Neovim 0.11+ config file for `vim.lsp.enable("prefect_lsp")`.
--
-- With this plugin on 'runtimepath', either call require("prefect_lsp").setup({...}) (which
-- calls vim.lsp.config + vim.lsp.enable itself), or just:
--
--   vim.lsp.config("prefect_lsp", { settings = { ["prefect-lsp"] = { server = "cloud" } } })
--   vim.lsp.enable("prefect_lsp")
--
-- The client attaches to YAML buffers named prefect.yaml / prefect.yml only (root_dir does not
-- call on_dir for other files). Extra file globs: use setup({ settings = { files = {...} } }).
local prefect = require("prefect_lsp")
return prefect.native_config(prefect.options or prefect.resolve_options({}))
