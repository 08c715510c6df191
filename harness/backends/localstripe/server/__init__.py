# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) stripe-compat contributors
#
# This program is free software: you can redistribute it and/or modify it under the terms of
# the GNU General Public License as published by the Free Software Foundation, either version 3
# of the License, or (at your option) any later version.
#
# This program is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY;
# without even the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.
# See the GNU General Public License for more details: <https://www.gnu.org/licenses/>.
"""The localstripe compat server: a separate GPL program the harness talks to over HTTP.

Run it as python -m harness.backends.localstripe.server --port 0; see README.md for why
nothing in the MIT harness may import it.
"""
