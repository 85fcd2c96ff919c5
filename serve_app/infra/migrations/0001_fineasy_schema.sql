-- FinEasy app tables (contract section 5). IF NOT EXISTS makes this a no-op on a Supabase
-- project where the app already created them. Portable subset: runs on PostgreSQL and SQLite.
CREATE TABLE IF NOT EXISTS businesses (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    name text NOT NULL,
    category text NOT NULL DEFAULT 'Other',
    address text, city text, state text, pincode text,
    country text NOT NULL DEFAULT 'India',
    gst_number text,
    currency text NOT NULL DEFAULT 'INR',
    currency_symbol text NOT NULL DEFAULT '₹',
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_businesses_user ON businesses (user_id);

CREATE TABLE IF NOT EXISTS customers (
    id uuid PRIMARY KEY,
    business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    user_id uuid,
    name text NOT NULL,
    phone text, email text, address text, gst_number text,
    balance numeric(15,2) NOT NULL DEFAULT 0,
    credit_limit numeric(15,2) NOT NULL DEFAULT 0,
    last_transaction_date timestamptz,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_customers_business ON customers (business_id);

CREATE TABLE IF NOT EXISTS suppliers (
    id uuid PRIMARY KEY,
    business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    user_id uuid,
    name text NOT NULL,
    phone text, email text, address text, gst_number text, upi_id text,
    balance numeric(15,2) NOT NULL DEFAULT 0,
    last_transaction_date timestamptz,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_suppliers_business ON suppliers (business_id);

CREATE TABLE IF NOT EXISTS products (
    id uuid PRIMARY KEY,
    business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    user_id uuid,
    name text NOT NULL,
    description text, sku text, barcode text, category text,
    unit text NOT NULL DEFAULT 'pcs',
    purchase_price numeric(15,2), selling_price numeric(15,2),
    stock_quantity integer NOT NULL DEFAULT 0,
    min_stock_level integer NOT NULL DEFAULT 0,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_products_business ON products (business_id);

CREATE TABLE IF NOT EXISTS transactions (
    id uuid PRIMARY KEY,
    business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    user_id uuid,
    customer_id uuid, supplier_id uuid,
    type text NOT NULL CHECK (type IN ('income', 'expense', 'credit', 'debit', 'payment_in',
                                       'payment_out', 'sale', 'purchase')),
    amount numeric(15,2) NOT NULL,
    description text NOT NULL DEFAULT '',
    payment_mode text NOT NULL DEFAULT 'cash',
    date timestamptz NOT NULL,
    due_date timestamptz,
    reference text, invoice_number text,
    invoice_id uuid,
    notes text,
    status text NOT NULL DEFAULT 'completed' CHECK (status IN ('pending', 'completed', 'cancelled')),
    is_synced boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_transactions_business_date ON transactions (business_id, date);
CREATE INDEX IF NOT EXISTS idx_transactions_invoice ON transactions (invoice_id);

CREATE TABLE IF NOT EXISTS invoices (
    id uuid PRIMARY KEY,
    business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    user_id uuid,
    customer_id uuid REFERENCES customers (id) ON DELETE SET NULL,
    supplier_id uuid REFERENCES suppliers (id) ON DELETE SET NULL,
    invoice_number text NOT NULL,
    invoice_type text NOT NULL DEFAULT 'customer' CHECK (invoice_type IN ('customer', 'supplier')),
    invoice_date date NOT NULL,
    due_date date,
    subtotal numeric(15,2) NOT NULL DEFAULT 0,
    tax_amount numeric(15,2) NOT NULL DEFAULT 0,
    discount_amount numeric(15,2) NOT NULL DEFAULT 0,
    total_amount numeric(15,2) NOT NULL DEFAULT 0,
    paid_amount numeric(15,2) NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'paid', 'partially_paid',
                                                           'overdue', 'cancelled')),
    notes text, terms_conditions text,
    template_id uuid,
    whatsapp_sent boolean NOT NULL DEFAULT false,
    whatsapp_sent_at timestamptz,
    transaction_id uuid REFERENCES transactions (id) ON DELETE SET NULL,
    pdf_path text, pdf_generated_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_invoices_business_type ON invoices (business_id, invoice_type);
CREATE INDEX IF NOT EXISTS idx_invoices_transaction ON invoices (transaction_id);

CREATE TABLE IF NOT EXISTS invoice_items (
    id uuid PRIMARY KEY,
    invoice_id uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text,
    quantity numeric(15,3) NOT NULL DEFAULT 1,
    unit_price numeric(15,2) NOT NULL DEFAULT 0,
    tax_rate numeric(7,3) NOT NULL DEFAULT 0,
    discount_rate numeric(7,3) NOT NULL DEFAULT 0,
    total_amount numeric(15,2) NOT NULL DEFAULT 0,
    unit text NOT NULL DEFAULT 'unit',
    sku text, hsn_code text, notes text,
    is_taxable boolean NOT NULL DEFAULT true,
    tax_type text NOT NULL DEFAULT 'percentage',
    discount_type text NOT NULL DEFAULT 'percentage',
    sort_order integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_invoice_items_invoice ON invoice_items (invoice_id);

-- Payment mode: both the client's camelCase names and migration 003's snake_case ones.
CREATE TABLE IF NOT EXISTS payments (
    id uuid PRIMARY KEY,
    business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    user_id uuid,
    invoice_id uuid REFERENCES invoices (id) ON DELETE CASCADE,
    transaction_id uuid REFERENCES transactions (id) ON DELETE SET NULL,
    customer_id uuid, supplier_id uuid,
    amount numeric(15,2) NOT NULL CHECK (amount > 0),
    payment_mode text NOT NULL CHECK (payment_mode IN ('cash', 'card', 'upi', 'netBanking', 'online',
                                                       'cheque', 'bankTransfer', 'bank_transfer',
                                                       'other')),
    status text NOT NULL DEFAULT 'completed' CHECK (status IN ('pending', 'completed', 'failed',
                                                               'cancelled')),
    payment_date timestamptz NOT NULL,
    reference text, notes text, receipt_url text,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_payments_invoice ON payments (invoice_id);
CREATE INDEX IF NOT EXISTS idx_payments_business_date ON payments (business_id, payment_date);

CREATE TABLE IF NOT EXISTS recurring_payments (
    id uuid PRIMARY KEY,
    business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    customer_id uuid, supplier_id uuid,
    description text NOT NULL,
    amount numeric(15,2) NOT NULL CHECK (amount > 0),
    frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly', 'yearly')),
    day_of_month integer, day_of_week integer,
    start_date timestamptz NOT NULL,
    end_date timestamptz,
    max_occurrences integer,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'cancelled',
                                                            'completed')),
    last_generated_date timestamptz,
    occurrences_generated integer NOT NULL DEFAULT 0,
    auto_generate_invoice boolean NOT NULL DEFAULT true,
    notes text,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_recurring_business ON recurring_payments (business_id);

CREATE TABLE IF NOT EXISTS expenses (
    id uuid PRIMARY KEY,
    business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    user_id uuid,
    category text NOT NULL DEFAULT 'Other',
    amount numeric(15,2) NOT NULL,
    description text NOT NULL DEFAULT '',
    expense_date date NOT NULL,
    receipt text, vendor text, reference text, notes text,
    is_recurring boolean NOT NULL DEFAULT false,
    recurrence_type text,
    next_due_date date,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_expenses_business_date ON expenses (business_id, expense_date);

CREATE TABLE IF NOT EXISTS cashbook_entries (
    id uuid PRIMARY KEY,
    business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    user_id uuid,
    type text NOT NULL CHECK (type IN ('IN', 'OUT')),
    amount numeric(15,2) NOT NULL,
    payment_mode text NOT NULL DEFAULT 'cash',
    details text,
    entry_date timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_cashbook_business_date ON cashbook_entries (business_id, entry_date);
